using Azure.Data.Tables;
using static ServerlessMyKey.Azure.Tables.IdempotencyClaimRows;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// Whether claims of the first layout (RowKey <c>claim</c>) may still be in the claims table, as this process
/// last found out: until the layout row records their migration (or the table was found empty), every claim
/// reads the legacy row first. Checked again at most once every <see cref="RecheckEvery"/>; once migrated, never.
/// </summary>
internal sealed class LegacyIdempotencyClaims(TimeProvider time)
{
    public static readonly TimeSpan RecheckEvery = TimeSpan.FromMinutes(1);

    private volatile bool _migrated;
    private long _nextCheckTicks;

    public async ValueTask<bool> MayExistAsync(TableClient table, CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var next = Interlocked.Read(ref _nextCheckTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextCheckTicks, (now + RecheckEvery).UtcTicks, next) != next)
        {
            return true;
        }

        _migrated = await MigratedAsync(table, now, cancellationToken);
        return !_migrated;
    }

    /// <summary>
    /// True when the layout row records the migration; a table with no row at all (a new deployment) has nothing
    /// to migrate and is recorded as migrated at once.
    /// </summary>
    internal static async Task<bool> MigratedAsync(TableClient table, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var layout = await table.GetEntityIfExistsAsync<TableEntity>(LayoutRow, LayoutRow, cancellationToken: cancellationToken);
        if (layout.HasValue)
        {
            return layout.Value!.GetDateTimeOffset(MigratedAtProperty) is not null;
        }

        await using var pages = table.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        if (await pages.MoveNextAsync() && (pages.Current.Values.Count > 0 || pages.Current.ContinuationToken is not null))
        {
            return false;
        }

        await table.UpsertEntityAsync(new TableEntity(LayoutRow, LayoutRow) { [MigratedAtProperty] = now }, TableUpdateMode.Merge, cancellationToken);
        return true;
    }
}
