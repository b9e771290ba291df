using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// Rows that keep a whole record as one JSON property (under the 64 KiB string limit, checked here:
/// Azurite would not) next to the columns that queries filter on.
/// </summary>
internal static class JsonRows
{
    public const string Property = "Record";
    private const int MaxChars = 30 * 1024;

    public static TableEntity Entity<T>(string partitionKey, string rowKey, T record, string? etag = null)
    {
        var json = JsonSerializer.Serialize(record, ApiJsonOptions.Options);
        if (json.Length > MaxChars)
        {
            throw new InvalidOperationException($"A {typeof(T).Name} row would hold {json.Length} characters, over {MaxChars}.");
        }

        return new TableEntity(partitionKey, rowKey) { [Property] = json, ETag = etag is null ? default : new ETag(etag) };
    }

    public static T Read<T>(TableEntity entity) =>
        JsonSerializer.Deserialize<T>(entity.GetString(Property) ?? "null", ApiJsonOptions.Options)
        ?? throw new InvalidDataException($"Row {entity.PartitionKey}/{entity.RowKey} holds no {typeof(T).Name}.");
}
