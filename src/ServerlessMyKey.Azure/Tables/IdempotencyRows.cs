using Azure.Data.Tables;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// The row that keeps an idempotent response inside the partition of the data it answers for, so
/// that it is inserted in the same transaction as that data: one commits exactly when the other does.
/// </summary>
internal static class IdempotencyRows
{
    public const string Prefix = "idem|";

    /// <summary>The first row key after every <see cref="Prefix"/> key (<c>|</c> + 1 = <c>}</c>), for range queries.</summary>
    public const string PrefixEnd = "idem}";

    public static string RowKey(string keyHash) => Prefix + keyHash;

    public static TableTransactionAction Insert(string partitionKey, IdempotentWrite write)
    {
        var entity = new TableEntity(partitionKey, RowKey(write.KeyHash))
        {
            ["Status"] = write.Response.Status,
            ["RequestHash"] = write.Response.RequestHash,
        };
        ChunkedProperty.Write(entity, "Body", write.Response.Body);
        return new TableTransactionAction(TableTransactionActionType.Add, entity);
    }

    public static StoredResponse Read(TableEntity entity) =>
        new(entity.GetInt32("Status") ?? 0, entity.GetString("RequestHash") ?? string.Empty, ChunkedProperty.Read(entity, "Body"));

    public static async Task<StoredResponse?> FindAsync(TableClient table, string partitionKey, string keyHash, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, RowKey(keyHash), cancellationToken: cancellationToken);
        return row.HasValue ? Read(row.Value!) : null;
    }
}
