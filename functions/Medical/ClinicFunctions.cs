using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Medical;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Medical;

/// <summary>Clinic check-in: patient-number links, reservations, check-in at the reader.</summary>
public sealed class ClinicFunctions(ClinicCheckins checkins, ServiceClientAuthenticator clients, ICitizenAuthenticator citizens, ILogger<ClinicFunctions> logger)
{
    [Function("MedicalPatientLinkCode")]
    [ApiOperation(InsuranceFunctions.Tag, "The facility issues a link code for a patient number (診察券番号) to give the patient it identified at the counter: {patientNumber} → {facilityCode, patientNumber, linkCode, expiresAt}; 15 minutes, single use, 5 wrong tries; a new code replaces the earlier one.",
        Caller = ApiCaller.ServiceClient, Role = MedicalRoles.Facility, RequestBody = typeof(PatientLinkCodeRequest), ResponseBody = typeof(PatientLinkCode), Responses = [201, 401, 403, 404])]
    public Task<IActionResult> IssueLinkCode(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/facilities/{facilityCode}/patient-link-codes")] HttpRequest request,
        string facilityCode,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForClientAsync<PatientLinkCodeRequest>(request, logger, clients, MedicalRoles.Facility, async (facility, body) =>
            ApiJson.Created(await checkins.IssueLinkCodeAsync(facilityCode, body, facility, cancellationToken)), cancellationToken);

    [Function("MedicalPatientLink")]
    [ApiOperation(InsuranceFunctions.Tag, "The patient links their MyKey ID to their patient number (診察券番号) with the link code the facility issued for it {patientNumber, linkCode}, replacing an earlier number (422 link_code_invalid, 410 link_code_expired, 409 already_exists when another MyKey ID holds it).",
        Caller = ApiCaller.Citizen, RequestBody = typeof(PatientLinkRequest), ResponseBody = typeof(PatientLink), Responses = [201, 400, 401, 404, 409, 410, 422])]
    public Task<IActionResult> Link(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/facilities/{facilityCode}/patient-links")] HttpRequest request,
        string facilityCode,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForCitizenAsync<PatientLinkRequest>(request, logger, citizens, async (citizen, body) =>
            ApiJson.Created(await checkins.LinkAsync(facilityCode, citizen, body, cancellationToken)), cancellationToken);

    [Function("MedicalReservationPut")]
    [ApiOperation(InsuranceFunctions.Tag, "The facility creates or replaces a reservation {patientNumber, at}.",
        Caller = ApiCaller.ServiceClient, Role = MedicalRoles.Facility, RequestBody = typeof(ReservationRequest), ResponseBody = typeof(Reservation), Responses = [200, 401, 403, 404])]
    public Task<IActionResult> Reserve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "medical/facilities/{facilityCode}/reservations/{reservationId}")] HttpRequest request,
        string facilityCode,
        string reservationId,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForClientAsync<ReservationRequest>(request, logger, clients, MedicalRoles.Facility, async (facility, body) =>
            ApiJson.Ok(await checkins.ReserveAsync(facilityCode, reservationId, body, facility, cancellationToken)), cancellationToken);

    [Function("MedicalCheckIn")]
    [ApiOperation(InsuranceFunctions.Tag, "The clinic's reader sends the patient's login proof (a medical_checkin challenge it asked for with its key) → {patientNumber, reservation?} (today's reservation, JST); 404 when the card is not linked to a patient number here.",
        Caller = ApiCaller.ServiceClient, Role = MedicalRoles.Facility, RequestBody = typeof(ClinicCheckinRequest), ResponseBody = typeof(ClinicCheckinResponse), Responses = [201, 401, 403, 404, 409])]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/facilities/{facilityCode}/checkins")] HttpRequest request,
        string facilityCode,
        CancellationToken cancellationToken) =>
        MedicalRequests.ForClientAsync<ClinicCheckinRequest>(request, logger, clients, MedicalRoles.Facility, async (facility, body) =>
            ApiJson.Created(await checkins.CheckInAsync(facilityCode, body, facility, cancellationToken)), cancellationToken);
}
