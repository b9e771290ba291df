using Azure;
using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>Deletes the rows of short-lived state (challenges, authorization codes) whose <c>ExpiresAt</c> has passed.</summary>
internal static class ExpiredRows
{
    public static async Task<int> DeleteAsync(TableClient table, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ExpiresAt lt {expiredBefore}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            try
            {
                await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
                deleted++;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Deleted by a concurrent cleanup.
            }
        }

        return deleted;
    }
}
