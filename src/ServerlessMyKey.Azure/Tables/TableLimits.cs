using System.Text;
using System.Text.Json;
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

    /// <summary>
    /// Payload of one entity-group transaction (Azure: less than 4 MiB), counted as it is sent (<see cref="RequestSize"/>):
    /// the JSON of every entity, binary values in base64, in the multipart body of the batch.
    /// </summary>
    public const long MaxTransactionBytes = 4L * 1024 * 1024;

    /// <summary>The batch's own multipart envelope (its boundaries and the changeset's headers), counted once per transaction.</summary>
    public const long TransactionEnvelopeBytes = 1024;

    /// <summary>
    /// What one operation's MIME part adds around its entity's JSON: its part headers, the request line with the table's
    /// address (account and table names are at most 24 and 63 characters) and its request headers (<c>If-Match</c> included).
    /// </summary>
    private const long OperationPartBytes = 1024;

    /// <summary>A typed value's <c>"&lt;name&gt;@odata.type":"Edm.DateTime",</c> beside it, less the name: the longest type name counted.</summary>
    private const long TypeAnnotationBytes = 32;

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
    /// entity, each entity within <see cref="EnsureEntity"/>, the whole request under 4 MiB as it is sent
    /// (<see cref="TransactionEnvelopeBytes"/> and each operation's <see cref="RequestSize"/>: a binary value travels in
    /// base64, so it counts 4·⌈n/3⌉ bytes here while <see cref="EstimateSize"/> counts it at n, as the service stores it).
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
        var total = TransactionEnvelopeBytes;
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

            if (action.ActionType != TableTransactionActionType.Delete)
            {
                EnsureEntity(action.Entity);
            }

            total += RequestSize(action);
        }

        if (total >= MaxTransactionBytes)
        {
            throw new TableLimitException($"A table transaction must be smaller than 4 MiB as sent; this one is about {total} bytes.");
        }
    }

    /// <summary>
    /// The bytes one operation adds to a transaction's request body, at most: its MIME part (<see cref="OperationPartBytes"/>,
    /// and the keys in its address, percent-encoded with quotes doubled: 6 bytes per UTF-8 byte at most) and, but for a
    /// delete, the entity as JSON — each property's escaped name and value, a string as escaped UTF-8 (what
    /// <c>System.Text.Json</c>'s default encoder writes), a binary value as base64 (4·⌈n/3⌉ bytes), other values at their
    /// longest text, and the <c>@odata.type</c> annotation of each typed value.
    /// </summary>
    public static long RequestSize(TableTransactionAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var entity = action.Entity;
        var keys = Encoding.UTF8.GetByteCount(entity.PartitionKey ?? string.Empty) + Encoding.UTF8.GetByteCount(entity.RowKey ?? string.Empty);
        var size = OperationPartBytes + (6L * keys);
        if (action.ActionType == TableTransactionActionType.Delete)
        {
            return size;
        }

        size += 2 + JsonProperty("PartitionKey", 2 + JsonText(entity.PartitionKey ?? string.Empty)) + JsonProperty("RowKey", 2 + JsonText(entity.RowKey ?? string.Empty));
        foreach (var (name, value) in Properties(entity))
        {
            var (valueSize, typed) = value switch
            {
                null => (4L, false),
                string text => (2 + JsonText(text), false),
                byte[] bytes => (2 + Base64Size(bytes.Length), true),
                BinaryData data => (2 + Base64Size(data.ToMemory().Length), true),
                bool => (5L, false),
                int => (11L, false),
                long => (22L, true),
                double => (26L, true),
                DateTime or DateTimeOffset => (30L, true),
                Guid => (38L, true),
                _ => throw new TableLimitException($"Property '{name}' has a type tables do not store: {value.GetType().Name}."),
            };
            size += JsonProperty(name, valueSize) + (typed ? TypeAnnotationBytes + JsonText(name) : 0);
        }

        return size;
    }

    /// <summary>Base64 of <paramref name="length"/> bytes: 4·⌈n/3⌉.</summary>
    public static long Base64Size(long length) => 4 * ((length + 2) / 3);

    /// <summary><c>"name":value,</c></summary>
    private static long JsonProperty(string name, long valueSize) => 2 + JsonText(name) + 1 + valueSize + 1;

    /// <summary>The text's bytes inside its JSON quotes (escaped UTF-8).</summary>
    private static long JsonText(string text) => JsonEncodedText.Encode(text).EncodedUtf8Bytes.Length;

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
    /// The size of an entity as the service counts it for its 1 MiB (the published estimate): 4 bytes + 2 × (length of
    /// PartitionKey and RowKey) + for each property 8 bytes + 2 × name length + the value's size — a binary value its
    /// bytes + 4 (stored, not base64: "Binary – sizeof(value) in bytes + 4 bytes for length of binary array"). Not what a
    /// request carries: that is <see cref="RequestSize"/>. Throws when one string or binary value is over 64 KiB.
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
