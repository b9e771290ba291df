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

    public static async Task<bool> TryAddAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public static async Task<bool> TryReplaceAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    public static async Task<TableEntity?> FindAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }
}
