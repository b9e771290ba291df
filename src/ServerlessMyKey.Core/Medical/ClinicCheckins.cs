using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Jpki.Verification;
using static ServerlessMyKey.Core.Medical.MedicalFields;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// Clinic check-in (受付): the patient links their card to the clinic's patient number (診察券番号), the
/// clinic keeps its reservations, and at the reader the patient's login proof resolves to the patient
/// number and today's reservation. A check-in is a login in every rule (no expiry grace).
/// </summary>
public sealed class ClinicCheckins(
    IClinicStore store,
    JpkiLogin login,
    MedicalFacilities facilities,
    MedicalAccessLog accessLog,
    TimeProvider time,
    ILogger<ClinicCheckins> logger)
{
    /// <summary>Links the citizen to a patient number, replacing their earlier one; 409 <c>already_exists</c> when another MyKey ID holds it.</summary>
    public async Task<PatientLink> LinkAsync(string facilityCode, Citizen citizen, PatientLinkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        ArgumentNullException.ThrowIfNull(request);
        var facility = RequireRegistered(facilityCode);
        var patientNumber = RequirePatientNumber(request.PatientNumber);
        return await OptimisticRetry.RunAsync<PatientLink>(async ct =>
        {
            var snapshot = await store.ReadPatientLinkAsync(facility, citizen.MyKeyId, patientNumber, ct);
            if (snapshot.PatientNumberOwner is { } owner && owner != citizen.MyKeyId)
            {
                throw new ServiceException(ErrorCodes.AlreadyExists, "This patient number is linked to another MyKey ID.");
            }

            if (snapshot.Current is { } current && current.PatientNumber == patientNumber)
            {
                return current;
            }

            var link = new PatientLink(facility, patientNumber, time.GetUtcNow());
            return await store.TryWritePatientLinkAsync(citizen.MyKeyId, snapshot, link, ct) ? link : null;
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
            request.At ?? throw new ServiceException(ErrorCodes.InvalidRequest, "at must be a date and time (RFC 3339)."));
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

    private string RequireRegistered(string? facilityCode)
    {
        var code = RequireFacilityCode(facilityCode);
        return facilities.All.Any(f => f.FacilityCode == code)
            ? code
            : throw new ServiceException(ErrorCodes.NotFound, "No medical facility with this code is registered (Medical:Facilities).");
    }
}
