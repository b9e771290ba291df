using Azure.Data.Tables;
using static ServerlessMyKey.Azure.Tables.IdempotencyClaimRows;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// Whether claims of the first layout (RowKey <c>claim</c>) may still be in the claims table, as this process
/// last found out: until the layout row records their migration (<c>TableIdempotencyClaimsMigration</c>; a table
/// created by this version is recorded as migrated when it is created), every claim reads the legacy row first.
/// Checked again at most once every <see cref="RecheckEvery"/>; once migrated, never.
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

        _migrated = await MigratedAsync(table, cancellationToken);
        return !_migrated;
    }
}
