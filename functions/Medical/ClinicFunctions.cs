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
    [Function("MedicalPatientLink")]
    [ApiOperation(InsuranceFunctions.Tag, "The patient links their MyKey ID to their patient number (診察券番号) at the facility, replacing an earlier one (409 already_exists when another MyKey ID holds it).",
        Caller = ApiCaller.Citizen, RequestBody = typeof(PatientLinkRequest), ResponseBody = typeof(PatientLink), Responses = [201, 401, 404, 409])]
    public Task<IActionResult> Link(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/facilities/{facilityCode}/patient-links")] HttpRequest request,
        string facilityCode,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<PatientLinkRequest>(request, cancellationToken);
            return ApiJson.Created(await checkins.LinkAsync(facilityCode, citizen, body, cancellationToken));
        });

    [Function("MedicalReservationPut")]
    [ApiOperation(InsuranceFunctions.Tag, "The facility creates or replaces a reservation {patientNumber, at}.",
        Caller = ApiCaller.ServiceClient, Role = MedicalRoles.Facility, RequestBody = typeof(ReservationRequest), ResponseBody = typeof(Reservation), Responses = [200, 401, 403, 404])]
    public Task<IActionResult> Reserve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "medical/facilities/{facilityCode}/reservations/{reservationId}")] HttpRequest request,
        string facilityCode,
        string reservationId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var facility = clients.RequireServiceClient(request, MedicalRoles.Facility);
            var body = await RequestBody.ReadJsonAsync<ReservationRequest>(request, cancellationToken);
            return ApiJson.Ok(await checkins.ReserveAsync(facilityCode, reservationId, body, facility, cancellationToken));
        });

    [Function("MedicalCheckIn")]
    [ApiOperation(InsuranceFunctions.Tag, "The clinic's reader sends the patient's login proof (a medical_checkin challenge it asked for with its key) → {patientNumber, reservation?} (today's reservation, JST); 404 when the card is not linked to a patient number here.",
        Caller = ApiCaller.ServiceClient, Role = MedicalRoles.Facility, RequestBody = typeof(ClinicCheckinRequest), ResponseBody = typeof(ClinicCheckinResponse), Responses = [201, 401, 403, 404, 409])]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "medical/facilities/{facilityCode}/checkins")] HttpRequest request,
        string facilityCode,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var facility = clients.RequireServiceClient(request, MedicalRoles.Facility);
            var body = await RequestBody.ReadJsonAsync<ClinicCheckinRequest>(request, cancellationToken);
            return ApiJson.Created(await checkins.CheckInAsync(facilityCode, body, facility, cancellationToken));
        });
}
