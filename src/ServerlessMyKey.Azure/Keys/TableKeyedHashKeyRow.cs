using System.Buffers.Text;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Keys;

/// <summary>
/// A <see cref="KeyedHashKey"/>'s wrapped key in one Table Storage row (<c>KeyId</c>, <c>Algorithm</c>, <c>Value</c>),
/// inserted with <c>Add</c> so that the first writer's key is the one every process uses. <c>Value</c> is written as
/// binary; a row written as base64url text (the insurance index key before this class) reads the same.
/// </summary>
internal sealed class TableKeyedHashKeyRow(LazyTable table, string partitionKey, string rowKey) : IKeyedHashKeyRow
{
    public async Task<WrappedKey?> FindAsync(CancellationToken cancellationToken = default)
    {
        var found = await TableRows.FindAsync(await table.GetAsync(cancellationToken), partitionKey, rowKey, cancellationToken);
        return found is null ? null : Read(found);
    }

    public async Task<WrappedKey> GetOrAddAsync(WrappedKey candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var client = await table.GetAsync(cancellationToken);
        return await TableRows.TryAddAsync(client, new TableEntity(partitionKey, rowKey) { ["KeyId"] = candidate.KeyId, ["Algorithm"] = candidate.Algorithm, ["Value"] = candidate.Value }, cancellationToken)
            ? candidate
            : Read((await client.GetEntityAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken)).Value);
    }

    private static WrappedKey Read(TableEntity row) => new(
        row.GetString("KeyId"),
        row.GetString("Algorithm"),
        row["Value"] is string text ? Base64Url.DecodeFromChars(text) : row.GetBinary("Value"));
}
