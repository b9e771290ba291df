using System.Globalization;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Medical;

namespace ServerlessMyKey.Azure.Medical;

/// <summary>
/// <c>MedicalClinics</c>: partition = 医療機関コード. Patient links: rows <c>k|&lt;MyKey ID&gt;</c> and the unique
/// index <c>p|&lt;patient number&gt;</c>, written together with the deletion of the link code <c>c|&lt;patient number&gt;</c>
/// they consumed. Reservations: rows <c>r|&lt;reservationId&gt;</c> and the
/// day index <c>d|&lt;yyyyMMdd (JST)&gt;|&lt;patient number&gt;|&lt;reservationId&gt;</c>, written together.
/// </summary>
internal sealed class TableClinicStore(LazyTable clinics) : IClinicStore
{
    private const string LinkPrefix = "k|";
    private const string PatientPrefix = "p|";
    private const string ReservationPrefix = "r|";
    private const string DayPrefix = "d|";
    private const string CodePrefix = "c|";

    /// <summary>Set on links the facility confirmed with a link code; rows without it are first-come links from before.</summary>
    private const string ConfirmedProperty = "Confirmed";
    private const int MaxReservationsPerDay = 20;

    public async Task<PatientLinkSnapshot> ReadPatientLinkAsync(string facilityCode, string myKeyId, string patientNumber, CancellationToken cancellationToken = default)
    {
        var client = await clinics.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {facilityCode} and (RowKey eq {LinkPrefix + myKeyId} or RowKey eq {PatientPrefix + patientNumber} or RowKey eq {CodePrefix + patientNumber})");
        PatientLink? current = null;
        string? etag = null;
        var currentConfirmed = false;
        TableEntity? index = null;
        StoredLinkCode? code = null;
        await foreach (var row in client.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (row.RowKey.StartsWith(LinkPrefix, StringComparison.Ordinal))
            {
                (current, etag, currentConfirmed) = (ReadLink(row), row.ETag.ToString(), IsConfirmed(row));
            }
            else if (row.RowKey.StartsWith(CodePrefix, StringComparison.Ordinal))
            {
                code = new StoredLinkCode(row.GetString("CodeHash"), row.GetDateTimeOffset("ExpiresAt") ?? default, row.GetInt32("FailedAttempts") ?? 0, row.ETag.ToString());
            }
            else
            {
                index = row;
            }
        }

        PatientNumberHolder? holder = null;
        if (index is not null)
        {
            var owner = index.GetString("MyKeyId");
            string? holderLinkETag = null;
            if (owner != myKeyId && !IsConfirmed(index))
            {
                // An unconfirmed holder's link row is removed with the index when a confirmed link displaces it.
                var link = await client.GetEntityIfExistsAsync<TableEntity>(facilityCode, LinkPrefix + owner, cancellationToken: cancellationToken);
                holderLinkETag = link.HasValue && link.Value!.GetString("PatientNumber") == patientNumber ? link.Value.ETag.ToString() : null;
            }

            holder = new PatientNumberHolder(owner, IsConfirmed(index), index.ETag.ToString(), holderLinkETag);
        }

        return new PatientLinkSnapshot(current, etag, currentConfirmed, holder, code);
    }

    public async Task<bool> TryWritePatientLinkAsync(string myKeyId, PatientLinkSnapshot snapshot, PatientLink link, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(link);
        var facility = link.FacilityCode;
        var row = new TableEntity(facility, LinkPrefix + myKeyId) { ["PatientNumber"] = link.PatientNumber, ["LinkedAt"] = link.LinkedAt, [ConfirmedProperty] = true };
        var index = new TableEntity(facility, PatientPrefix + link.PatientNumber) { ["MyKeyId"] = myKeyId, [ConfirmedProperty] = true };
        var actions = new List<TableTransactionAction>();
        if (snapshot.Current is { } old)
        {
            actions.Add(new(TableTransactionActionType.UpdateReplace, row, new ETag(snapshot.CurrentETag!)));
            if (old.PatientNumber != link.PatientNumber)
            {
                actions.Add(new(TableTransactionActionType.Delete, new TableEntity(facility, PatientPrefix + old.PatientNumber), ETag.All));
            }
        }
        else
        {
            actions.Add(new(TableTransactionActionType.Add, row));
        }

        if (snapshot.Holder is { } holder)
        {
            actions.Add(new(TableTransactionActionType.UpdateReplace, index, new ETag(holder.ETag)));
            if (holder.MyKeyId != myKeyId && holder.HolderLinkETag is { } holderLink)
            {
                actions.Add(new(TableTransactionActionType.Delete, new TableEntity(facility, LinkPrefix + holder.MyKeyId), new ETag(holderLink)));
            }
        }
        else
        {
            actions.Add(new(TableTransactionActionType.Add, index));
        }

        if (snapshot.Code is { } code)
        {
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(facility, CodePrefix + link.PatientNumber), new ETag(code.ETag)));
        }

        try
        {
            return await TableTransactions.TrySubmitAsync(await clinics.GetAsync(cancellationToken), actions, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // A row the snapshot had (the code a concurrent link consumed, a displaced link) is gone: read again.
            return false;
        }
    }

    public async Task IssueLinkCodeAsync(string facilityCode, string patientNumber, string codeHash, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var client = await clinics.GetAsync(cancellationToken);
        await client.UpsertEntityAsync(
            new TableEntity(facilityCode, CodePrefix + patientNumber) { ["CodeHash"] = codeHash, ["ExpiresAt"] = expiresAt, ["FailedAttempts"] = 0 },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<bool> TryRecordFailedLinkCodeAsync(string facilityCode, string patientNumber, StoredLinkCode code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        var client = await clinics.GetAsync(cancellationToken);
        try
        {
            if (code.FailedAttempts + 1 >= PatientLinkCodes.MaxFailedAttempts)
            {
                await client.DeleteEntityAsync(facilityCode, CodePrefix + patientNumber, new ETag(code.ETag), cancellationToken);
            }
            else
            {
                await client.UpdateEntityAsync(
                    new TableEntity(facilityCode, CodePrefix + patientNumber) { ["FailedAttempts"] = code.FailedAttempts + 1 }, new ETag(code.ETag), TableUpdateMode.Merge, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    public async Task<PatientLink?> FindPatientLinkAsync(string facilityCode, string myKeyId, CancellationToken cancellationToken = default)
    {
        var client = await clinics.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(facilityCode, LinkPrefix + myKeyId, cancellationToken: cancellationToken);
        return row.HasValue && IsConfirmed(row.Value!) ? ReadLink(row.Value!) : null;
    }

    public async Task<string?> FindPatientAsync(string facilityCode, string patientNumber, CancellationToken cancellationToken = default)
    {
        var client = await clinics.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(facilityCode, PatientPrefix + patientNumber, cancellationToken: cancellationToken);
        return row.HasValue && IsConfirmed(row.Value!) ? row.Value!.GetString("MyKeyId") : null;
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

    private static bool IsConfirmed(TableEntity row) => row.GetBoolean(ConfirmedProperty) == true;

    private static PatientLink ReadLink(TableEntity row) =>
        new(row.PartitionKey, row.GetString("PatientNumber"), row.GetDateTimeOffset("LinkedAt") ?? default);

    private static Reservation ReadReservation(string reservationId, TableEntity row) =>
        new(reservationId, row.GetString("PatientNumber"), row.GetDateTimeOffset("At") ?? default);
}
