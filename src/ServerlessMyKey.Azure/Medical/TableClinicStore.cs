using System.Globalization;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Medical;

namespace ServerlessMyKey.Azure.Medical;

/// <summary>
/// <c>MedicalClinics</c>: partition = 医療機関コード. Patient links: rows <c>k|&lt;MyKey ID&gt;</c> and the unique
/// index <c>p|&lt;patient number&gt;</c>, written together. Reservations: rows <c>r|&lt;reservationId&gt;</c> and the
/// day index <c>d|&lt;yyyyMMdd (JST)&gt;|&lt;patient number&gt;|&lt;reservationId&gt;</c>, written together.
/// </summary>
internal sealed class TableClinicStore(LazyTable clinics) : IClinicStore
{
    private const string LinkPrefix = "k|";
    private const string PatientPrefix = "p|";
    private const string ReservationPrefix = "r|";
    private const string DayPrefix = "d|";
    private const int MaxReservationsPerDay = 20;

    public async Task<PatientLinkSnapshot> ReadPatientLinkAsync(string facilityCode, string myKeyId, string patientNumber, CancellationToken cancellationToken = default)
    {
        var client = await clinics.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {facilityCode} and (RowKey eq {LinkPrefix + myKeyId} or RowKey eq {PatientPrefix + patientNumber})");
        PatientLink? current = null;
        string? etag = null, owner = null;
        await foreach (var row in client.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (row.RowKey.StartsWith(LinkPrefix, StringComparison.Ordinal))
            {
                (current, etag) = (ReadLink(row), row.ETag.ToString());
            }
            else
            {
                owner = row.GetString("MyKeyId");
            }
        }

        return new PatientLinkSnapshot(current, etag, owner);
    }

    public async Task<bool> TryWritePatientLinkAsync(string myKeyId, PatientLinkSnapshot snapshot, PatientLink link, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(link);
        var row = new TableEntity(link.FacilityCode, LinkPrefix + myKeyId) { ["PatientNumber"] = link.PatientNumber, ["LinkedAt"] = link.LinkedAt };
        var actions = new List<TableTransactionAction>();
        if (snapshot.Current is { } old)
        {
            actions.Add(new(TableTransactionActionType.UpdateReplace, row, new ETag(snapshot.CurrentETag!)));
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(link.FacilityCode, PatientPrefix + old.PatientNumber), ETag.All));
        }
        else
        {
            actions.Add(new(TableTransactionActionType.Add, row));
        }

        actions.Add(new(TableTransactionActionType.Add, new TableEntity(link.FacilityCode, PatientPrefix + link.PatientNumber) { ["MyKeyId"] = myKeyId }));
        return await TableTransactions.TrySubmitAsync(await clinics.GetAsync(cancellationToken), actions, cancellationToken);
    }

    public async Task<PatientLink?> FindPatientLinkAsync(string facilityCode, string myKeyId, CancellationToken cancellationToken = default)
    {
        var client = await clinics.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(facilityCode, LinkPrefix + myKeyId, cancellationToken: cancellationToken);
        return row.HasValue ? ReadLink(row.Value!) : null;
    }

    public async Task<string?> FindPatientAsync(string facilityCode, string patientNumber, CancellationToken cancellationToken = default)
    {
        var client = await clinics.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(facilityCode, PatientPrefix + patientNumber, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetString("MyKeyId") : null;
    }

    public async Task<StoredReservation?> FindReservationAsync(string facilityCode, string reservationId, CancellationToken cancellationToken = default)
    {
        var client = await clinics.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(facilityCode, ReservationPrefix + reservationId, cancellationToken: cancellationToken);
        return row.HasValue ? new StoredReservation(ReadReservation(reservationId, row.Value!), row.Value!.ETag.ToString()) : null;
    }

    public async Task<bool> TryWriteReservationAsync(string facilityCode, StoredReservation? current, Reservation next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        var row = new TableEntity(facilityCode, ReservationPrefix + next.ReservationId) { ["PatientNumber"] = next.PatientNumber, ["At"] = next.At };
        var actions = new List<TableTransactionAction>
        {
            current is null ? new(TableTransactionActionType.Add, row) : new(TableTransactionActionType.UpdateReplace, row, new ETag(current.ETag)),
        };
        var nextDay = DayKey(next);
        if (current is not null && DayKey(current.Reservation) != nextDay)
        {
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(facilityCode, DayKey(current.Reservation)), ETag.All));
        }

        // The day index row carries the time, so a day's list needs no second read.
        actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(facilityCode, nextDay) { ["At"] = next.At }));
        return await TableTransactions.TrySubmitAsync(await clinics.GetAsync(cancellationToken), actions, cancellationToken);
    }

    public async Task<IReadOnlyList<Reservation>> ListReservationsAsync(string facilityCode, DateOnly day, string patientNumber, CancellationToken cancellationToken = default)
    {
        var client = await clinics.GetAsync(cancellationToken);
        var prefix = $"{DayPrefix}{day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}|{patientNumber}|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {facilityCode} and RowKey gt {prefix} and RowKey lt {prefix[..^1] + "}"}");
        var result = new List<Reservation>();
        await foreach (var row in client.QueryAsync<TableEntity>(filter, maxPerPage: MaxReservationsPerDay, cancellationToken: cancellationToken))
        {
            result.Add(new Reservation(row.RowKey[prefix.Length..], patientNumber, row.GetDateTimeOffset("At") ?? default));
            if (result.Count >= MaxReservationsPerDay)
            {
                break;
            }
        }

        return result;
    }

    private static string DayKey(Reservation reservation) =>
        $"{DayPrefix}{MedicalFields.DayInJapan(reservation.At).ToString("yyyyMMdd", CultureInfo.InvariantCulture)}|{reservation.PatientNumber}|{reservation.ReservationId}";

    private static PatientLink ReadLink(TableEntity row) =>
        new(row.PartitionKey, row.GetString("PatientNumber"), row.GetDateTimeOffset("LinkedAt") ?? default);

    private static Reservation ReadReservation(string reservationId, TableEntity row) =>
        new(reservationId, row.GetString("PatientNumber"), row.GetDateTimeOffset("At") ?? default);
}
