using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Jpki.Verification;
using static ServerlessMyKey.Core.Medical.MedicalFields;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// Clinic check-in (受付): the clinic issues a link code for a patient number (診察券番号) at the counter, the
/// patient links their card to it with that code, the clinic keeps its reservations, and at the reader the patient's login proof resolves to the patient
/// number and today's reservation. A check-in is a login in every rule (no expiry grace).
/// </summary>
public sealed class ClinicCheckins(
    IClinicStore store,
    MedicalKeyedHashes keyedHashes,
    JpkiLogin login,
    MedicalFacilities facilities,
    MedicalAccessLog accessLog,
    TimeProvider time,
    ILogger<ClinicCheckins> logger)
{
    /// <summary>How far from now a reservation's time may lie, either way.</summary>
    private static readonly TimeSpan MaxReservationDistance = TimeSpan.FromDays(3653);

    /// <summary>
    /// The facility issues a link code for one of its patient numbers, to give the patient it identified at the
    /// counter; a new code replaces the earlier one. The code is returned once and stored only hashed.
    /// </summary>
    public async Task<PatientLinkCode> IssueLinkCodeAsync(string facilityCode, PatientLinkCodeRequest request, ServiceClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var facility = facilities.Require(facilityCode, client);
        var patientNumber = RequirePatientNumber(request.PatientNumber);
        var code = PatientLinkCodes.New();
        var expiresAt = time.GetUtcNow() + PatientLinkCodes.Lifetime;
        await store.IssueLinkCodeAsync(facility.FacilityCode, patientNumber, await keyedHashes.PatientLinkCodeAsync(facility.FacilityCode, patientNumber, code, cancellationToken), expiresAt, cancellationToken);
        logger.LogInformation("Patient link code issued at facility {FacilityCode} by client {ClientId}", facility.FacilityCode, client.ClientId);
        return new PatientLinkCode(facility.FacilityCode, patientNumber, code, expiresAt);
    }

    /// <summary>
    /// Links the citizen to a patient number with the link code the facility issued for it, replacing their earlier
    /// number and consuming the code in the same transaction. 422 <c>link_code_invalid</c> (no code, wrong, used,
    /// worn out), 410 <c>link_code_expired</c>, 409 <c>already_exists</c> when another MyKey ID holds a confirmed link.
    /// </summary>
    public async Task<PatientLink> LinkAsync(string facilityCode, Citizen citizen, PatientLinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        ArgumentNullException.ThrowIfNull(request);
        var facility = RequireRegistered(facilityCode);
        var patientNumber = RequirePatientNumber(request.PatientNumber);
        var code = PatientLinkCodes.Require(request.LinkCode);
        return await OptimisticRetry.RunAsync<PatientLink>(async ct =>
        {
            var snapshot = await store.ReadPatientLinkAsync(facility, citizen.MyKeyId, patientNumber, ct);
            if (snapshot is { Current: { } current, CurrentConfirmed: true } && current.PatientNumber == patientNumber)
            {
                return current;
            }

            if (snapshot.Code is not { } stored)
            {
                throw LinkCodeInvalid(facility, citizen);
            }

            if (!PatientLinkCodes.Matches(stored.CodeHash, await keyedHashes.PatientLinkCodeAsync(facility, patientNumber, code, ct)))
            {
                // Counted against the code before answering (a concurrent change re-reads and counts again).
                if (!await store.TryRecordFailedLinkCodeAsync(facility, patientNumber, stored, ct))
                {
                    return null;
                }

                throw LinkCodeInvalid(facility, citizen);
            }

            if (time.GetUtcNow() >= stored.ExpiresAt)
            {
                throw new ServiceException(ErrorCodes.LinkCodeExpired, "The link code has expired; ask the facility for a new one.");
            }

            if (snapshot.Holder is { Confirmed: true } holder && holder.MyKeyId != citizen.MyKeyId)
            {
                throw new ServiceException(ErrorCodes.AlreadyExists, "This patient number is linked to another MyKey ID.");
            }

            var link = new PatientLink(facility, patientNumber, time.GetUtcNow());
            if (!await store.TryWritePatientLinkAsync(citizen.MyKeyId, snapshot, link, ct))
            {
                return null;
            }

            logger.LogInformation("Patient number linked for MyKey ID {MyKeyId} at facility {FacilityCode}", citizen.MyKeyId, facility);
            return link;
        }, cancellationToken);
    }

    /// <summary>Creates or replaces a reservation of the facility (its own id; the same body again changes nothing).</summary>
    public async Task<Reservation> ReserveAsync(string facilityCode, string reservationId, ReservationRequest request, ServiceClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var facility = facilities.Require(facilityCode, client);
        var reservation = new Reservation(
            Validation.RequestFields.RequireId(reservationId, "reservationId"),
            RequirePatientNumber(request.PatientNumber),
            RequireReservationTime(request.At));
        return await OptimisticRetry.RunAsync<Reservation>(async ct =>
        {
            var current = await store.FindReservationAsync(facility.FacilityCode, reservation.ReservationId, ct);
            if (current is not null && current.Reservation == reservation)
            {
                return reservation;
            }

            return await store.TryWriteReservationAsync(facility.FacilityCode, current, reservation, ct) ? reservation : null;
        }, cancellationToken);
    }

    /// <summary>
    /// The reader's check-in: the login proof gives the MyKey ID, the link the patient number, and today's
    /// reservation (JST; the one nearest to now) is returned when there is one. 404 <c>not_found</c> when the
    /// card is not linked to a patient number of the facility.
    /// </summary>
    public async Task<ClinicCheckinResponse> CheckInAsync(string facilityCode, ClinicCheckinRequest request, ServiceClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var facility = facilities.Require(facilityCode, client);
        var holder = await login.IdentifyAsync(new LoginProof(request.ChallengeId, request.Certificate, request.Signature), ChallengeUse.MedicalCheckin(client.ClientId), ExpiryGrace.None, cancellationToken);
        var link = holder.MyKeyId is null ? null : await store.FindPatientLinkAsync(facility.FacilityCode, holder.MyKeyId, cancellationToken);
        if (link is null)
        {
            throw new ServiceException(ErrorCodes.NotFound, "The card is not linked to a patient number of this facility.");
        }

        var now = time.GetUtcNow();
        var today = await store.ListReservationsAsync(facility.FacilityCode, DayInJapan(now), link.PatientNumber, cancellationToken);
        var reservation = today.OrderBy(r => (r.At - now).Duration()).FirstOrDefault();
        var at = await accessLog.RecordAsync(holder.MyKeyId!, facility.FacilityCode, MedicalAccessLog.Kinds.Checkin, null, true, null, cancellationToken);
        logger.LogInformation("Check-in of MyKey ID {MyKeyId} at facility {FacilityCode}, reservation {ReservationId}", holder.MyKeyId, facility.FacilityCode, reservation?.ReservationId ?? "none");
        return new ClinicCheckinResponse(link.PatientNumber, reservation is null ? null : new ReservationView(reservation.ReservationId, reservation.At), at);
    }

    // Bounded so the day in Japan and the table's date range hold (year 9999 has no next day; tables start in 1601).
    private DateTimeOffset RequireReservationTime(DateTimeOffset? at) =>
        at is { } value && (value - time.GetUtcNow()).Duration() <= MaxReservationDistance
            ? value
            : throw new ServiceException(ErrorCodes.InvalidRequest, "at must be a date and time (RFC 3339) within 10 years of now.");

    private ServiceException LinkCodeInvalid(string facility, Citizen citizen)
    {
        logger.LogWarning("Patient link refused for MyKey ID {MyKeyId} at facility {FacilityCode}: {Code}", citizen.MyKeyId, facility, ErrorCodes.LinkCodeInvalid.Code);
        return new ServiceException(ErrorCodes.LinkCodeInvalid, "The link code is not the facility's current code for this patient number.");
    }

    private string RequireRegistered(string? facilityCode)
    {
        var code = RequireFacilityCode(facilityCode);
        return facilities.All.Any(f => f.FacilityCode == code)
            ? code
            : throw new ServiceException(ErrorCodes.NotFound, "No medical facility with this code is registered (Medical:Facilities).");
    }
}
