using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Azure.Operations;

/// <summary>
/// Forgets idempotency keys past their window: the stored responses (<c>idem|…</c> rows kept in the
/// partition of the data they answer for) and the claims (<c>IdempotencyClaims</c>). Age is the
/// row's Timestamp, which the service sets on every write, so a row rewritten inside the window is
/// young again; deletes carry the ETag read, so a row rewritten after it was listed stays.
/// </summary>
/// <remarks>
/// A replay inside the window is never affected: only rows written before now − window are listed.
/// The response rows are deleted before the claims, so a claim never outlives its response's window
/// by less than the response does.
/// </remarks>
internal sealed class TableIdempotencyCleanup(TableServiceClient service, IReadOnlyList<string> responseTables, string claimsTable) : IIdempotencyCleanup
{
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset writtenBefore, int maxRowsPerTable, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        var responses = TableClient.CreateQueryFilter(
            $"RowKey ge {IdempotencyRows.Prefix} and RowKey lt {IdempotencyRows.PrefixEnd} and Timestamp lt {writtenBefore}");
        foreach (var name in responseTables)
        {
            deleted += await BoundedTableDeletes.DeleteAsync(service.GetTableClient(name), responses, maxRowsPerTable, cancellationToken);
        }

        deleted += await BoundedTableDeletes.DeleteAsync(
            service.GetTableClient(claimsTable), TableClient.CreateQueryFilter($"Timestamp lt {writtenBefore}"), maxRowsPerTable, cancellationToken);
        return deleted;
    }
}
