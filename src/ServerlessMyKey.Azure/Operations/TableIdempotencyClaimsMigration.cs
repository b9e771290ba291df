using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Operations;
using static ServerlessMyKey.Azure.Tables.IdempotencyClaimRows;

namespace ServerlessMyKey.Azure.Operations;

/// <summary>
/// Moves claims of the first layout (RowKey <c>claim</c>) to the current one (RowKey = key hash), in key-hash
/// order from the cursor kept in the layout row, at most <c>maxRows</c> a run: each is copied before it is
/// deleted, so a claim reading the legacy row first always finds the claim in one of the two. The run that finds
/// none left records the migration, and claims stop reading legacy rows.
/// </summary>
internal sealed class TableIdempotencyClaimsMigration(LazyTable table, TimeProvider time) : IIdempotencyClaimsMigration
{
    public async Task<ClaimsMigrationReport> MigrateAsync(int maxRows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        var client = await table.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var layout = await FindLayoutAsync(client, cancellationToken);
        if (RecordsMigration(layout))
        {
            return new ClaimsMigrationReport(0, true);
        }

        var cursor = layout?.GetString(CursorProperty) ?? string.Empty;
        var legacy = TableClient.CreateQueryFilter($"PartitionKey gt {cursor} and RowKey eq {LegacyRowKey}");
        var moved = 0;
        var complete = true;
        await foreach (var row in client.QueryAsync<TableEntity>(legacy, maxPerPage: Math.Min(maxRows, 1000), cancellationToken: cancellationToken))
        {
            if (moved == maxRows)
            {
                complete = false;
                break;
            }

            await MoveAsync(client, row, now, cancellationToken);
            moved++;
            cursor = row.PartitionKey;
        }

        var progress = new TableEntity(LayoutRow, LayoutRow) { [CursorProperty] = cursor };
        if (complete)
        {
            progress[MigratedAtProperty] = now;
        }

        await client.UpsertEntityAsync(progress, TableUpdateMode.Merge, cancellationToken);
        return new ClaimsMigrationReport(moved, complete);
    }

    private static async Task MoveAsync(TableClient client, TableEntity row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // false: copied by an earlier run that stopped before the delete.
        await TableRows.TryAddAsync(client, New(row.PartitionKey, row.GetString("RequestHash") ?? string.Empty, row.GetDateTimeOffset("ClaimedAt") ?? row.Timestamp ?? now), cancellationToken);

        try
        {
            await client.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Deleted by a concurrent run.
        }
    }
}
