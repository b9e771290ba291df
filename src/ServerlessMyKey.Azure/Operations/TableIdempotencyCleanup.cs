using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Azure.Operations;

/// <summary>
/// Forgets stored responses to idempotency keys past their window (the <c>idem|…</c> rows kept in the
/// partition of the data they answer for). Age is the row's Timestamp, which the service sets on every
/// write, so a row rewritten inside the window is young again; deletes carry the ETag read, so a row
/// rewritten after it was listed stays.
/// </summary>
/// <remarks>
/// A replay inside the window is never affected: only rows written before now − window are listed.
/// The claims (<c>IdempotencyClaims</c>, one small row per key) are kept: childcare applications,
/// certificate status jobs and delegation transmissions derive their record's id from the key's hash
/// and rely on the claim to refuse the key for another request (without it a new application under
/// an old key would be answered with the old one and dropped).
/// </remarks>
internal sealed class TableIdempotencyCleanup(TableServiceClient service, IReadOnlyList<string> responseTables) : IIdempotencyCleanup
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

        return deleted;
    }
}
