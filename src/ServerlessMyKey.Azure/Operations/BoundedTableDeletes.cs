using Azure;
using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Operations;

/// <summary>
/// Deletes the rows a filter selects, page by page and at most <c>maxRows</c> per call, each with the
/// ETag it was read with: a row rewritten since it was listed (412) or already gone (404) is left alone.
/// </summary>
internal static class BoundedTableDeletes
{
    private const int Parallelism = 8;

    public static async Task<int> DeleteAsync(TableClient table, string filter, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        var deleted = 0;
        var listed = 0;
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(maxRows, 1000), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).AsPages())
            {
                var rows = page.Values.Take(maxRows - listed).ToList();
                listed += rows.Count;
                await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (row, ct) =>
                {
                    try
                    {
                        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, ct);
                        Interlocked.Increment(ref deleted);
                    }
                    catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                    {
                        // Deleted by a concurrent run, or written again since it was listed.
                    }
                });
                if (listed >= maxRows)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode == "TableNotFound")
        {
            // Nothing was ever written to this table.
        }

        return deleted;
    }
}
