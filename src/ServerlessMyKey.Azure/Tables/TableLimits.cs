using System.Text;
using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// The limits of Azure Table Storage, checked before a write. Azurite accepts batches across
/// partitions, entities over 1 MiB and more properties than Azure allows, so without these checks a
/// write that passes every local test would fail in Azure. Figures: learn.microsoft.com "Scalability
/// and performance targets for Table storage" and "Understanding the Table service data model".
/// </summary>
public static class TableLimits
{
    /// <summary>Operations in one entity-group transaction.</summary>
    public const int MaxTransactionActions = 100;

    /// <summary>Payload of one entity-group transaction (Azure: less than 4 MiB).</summary>
    public const long MaxTransactionBytes = 4L * 1024 * 1024;

    /// <summary>All properties of one entity, keys included.</summary>
    public const long MaxEntityBytes = 1024 * 1024;

    /// <summary>Custom properties (255 including PartitionKey, RowKey and Timestamp).</summary>
    public const int MaxProperties = 252;

    /// <summary>PartitionKey or RowKey: up to 1 KiB.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>An Edm.String or Edm.Binary property: up to 64 KiB (a string is stored as UTF-16).</summary>
    public const int MaxPropertyBytes = 64 * 1024;

    /// <summary>
    /// Checks one entity-group transaction: 1–100 operations, one PartitionKey, one operation per
    /// entity, each entity within <see cref="EnsureEntity"/>, the whole under 4 MiB.
    /// </summary>
    public static void EnsureTransaction(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxTransactionActions)
        {
            throw new TableLimitException($"A table transaction holds 1–{MaxTransactionActions} operations; this one has {actions.Count}.");
        }

        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var action in actions)
        {
            if (!string.Equals(action.Entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new TableLimitException("A table transaction must stay within one partition.");
            }

            if (!rowKeys.Add(action.Entity.RowKey))
            {
                throw new TableLimitException($"A table transaction may touch row '{action.Entity.RowKey}' only once.");
            }

            total += action.ActionType == TableTransactionActionType.Delete ? KeysSize(action.Entity) : EnsureEntity(action.Entity);
        }

        if (total >= MaxTransactionBytes)
        {
            throw new TableLimitException($"A table transaction must be smaller than 4 MiB; this one is about {total} bytes.");
        }
    }

    /// <summary>Checks keys, property count and sizes of one entity; returns its estimated size in bytes.</summary>
    public static long EnsureEntity(ITableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        EnsureKey(entity.PartitionKey, "PartitionKey");
        EnsureKey(entity.RowKey, "RowKey");
        var properties = Properties(entity);
        if (properties.Count > MaxProperties)
        {
            throw new TableLimitException($"An entity may have {MaxProperties} properties; this one has {properties.Count}.");
        }

        var size = EstimateSize(entity);
        if (size > MaxEntityBytes)
        {
            throw new TableLimitException($"An entity may be 1 MiB; this one is about {size} bytes.");
        }

        return size;
    }

    /// <summary>
    /// The size of an entity by the published estimate: 4 bytes + 2 × (length of PartitionKey and
    /// RowKey) + for each property 8 bytes + 2 × name length + the value's size. Throws when one
    /// string or binary value is over 64 KiB.
    /// </summary>
    public static long EstimateSize(ITableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        long size = KeysSize(entity);
        foreach (var (name, value) in Properties(entity))
        {
            var valueSize = value switch
            {
                null => 0,
                string s => 4 + (2L * s.Length),
                byte[] b => 4 + b.Length,
                BinaryData d => 4 + d.ToMemory().Length,
                bool => 1,
                int => 4,
                long or double or DateTime or DateTimeOffset => 8,
                Guid => 16,
                _ => throw new TableLimitException($"Property '{name}' has a type tables do not store: {value.GetType().Name}."),
            };
            if (value is string or byte[] or BinaryData && valueSize - 4 > MaxPropertyBytes)
            {
                throw new TableLimitException($"Property '{name}' is over 64 KiB.");
            }

            size += 8 + (2L * name.Length) + valueSize;
        }

        return size;
    }

    private static long KeysSize(ITableEntity entity) => 4 + (2L * ((entity.PartitionKey?.Length ?? 0) + (entity.RowKey?.Length ?? 0)));

    private static void EnsureKey(string? key, string name)
    {
        if (key is null)
        {
            throw new TableLimitException($"{name} is required.");
        }

        if (Encoding.Unicode.GetByteCount(key) > MaxKeyBytes)
        {
            throw new TableLimitException($"{name} may be 1 KiB.");
        }

        // Not allowed in keys: / \ # ? and control characters U+0000–U+001F, U+007F–U+009F.
        if (key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
        {
            throw new TableLimitException($"{name} contains a character tables do not allow (/ \\ # ? or a control character).");
        }
    }

    private static List<KeyValuePair<string, object?>> Properties(ITableEntity entity) => entity switch
    {
        TableEntity table => [.. table.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value))],
        _ => throw new ArgumentException("The limits are checked on TableEntity values.", nameof(entity)),
    };
}

/// <summary>A write that Azure Table Storage would refuse (a defect or an account past its design size).</summary>
public sealed class TableLimitException(string message) : InvalidOperationException(message);
