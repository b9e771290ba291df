using Azure.Data.Tables;
using ServerlessMyKey.Azure.Operations;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Medical;

namespace ServerlessMyKey.Azure.Medical;

/// <summary>
/// Retention of <c>MedicalAccessLog</c> (by the entry's <c>At</c>) and of <c>MedicalClinics</c> reservations
/// (<c>r|</c> rows and their <c>d|</c> day index, by the reservation's <c>At</c>) and unused link codes
/// (<c>c|</c>, by <c>ExpiresAt</c>), through the clean-up's bounded, ETag-conditional deletes: a row rewritten
/// since it was listed (a reservation moved) stays. Index rows go first, so no index outlives nothing worse
/// than a run (a reservation row without index is never listed).
/// </summary>
internal sealed class TableMedicalRetention(LazyTable accessLog, LazyTable clinics) : IMedicalRetentionStore
{
    public async Task<int> DeleteAccessLogBeforeAsync(DateTimeOffset before, int maxRows, CancellationToken cancellationToken = default) =>
        await BoundedTableDeletes.DeleteAsync(await accessLog.GetAsync(cancellationToken), TableClient.CreateQueryFilter($"At lt {before}"), maxRows, cancellationToken);

    public async Task<int> DeleteReservationsBeforeAsync(DateTimeOffset before, int maxRows, CancellationToken cancellationToken = default)
    {
        var table = await clinics.GetAsync(cancellationToken);
        var index = await BoundedTableDeletes.DeleteAsync(table, TableClient.CreateQueryFilter($"RowKey ge {"d|"} and RowKey lt {"d}"} and At lt {before}"), maxRows, cancellationToken);
        var rows = await BoundedTableDeletes.DeleteAsync(table, TableClient.CreateQueryFilter($"RowKey ge {"r|"} and RowKey lt {"r}"} and At lt {before}"), maxRows, cancellationToken);
        return index + rows;
    }

    public async Task<int> DeleteLinkCodesExpiredBeforeAsync(DateTimeOffset before, int maxRows, CancellationToken cancellationToken = default) =>
        await BoundedTableDeletes.DeleteAsync(
            await clinics.GetAsync(cancellationToken), TableClient.CreateQueryFilter($"RowKey ge {"c|"} and RowKey lt {"c}"} and ExpiresAt lt {before}"), maxRows, cancellationToken);
}
