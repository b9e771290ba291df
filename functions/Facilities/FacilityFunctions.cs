using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Facilities;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;
using static ServerlessMyKey.Functions.Http.StoredResponseResult;

namespace ServerlessMyKey.Functions.Facilities;

/// <summary>Public-facility cards on the MyKey platform: facilities, MyKey ID ↔ user number links, terminal check-ins.</summary>
public sealed class FacilityFunctions(
    FacilityService facilities,
    ServiceClientAuthenticator clients,
    ICitizenAuthenticator citizens,
    ILogger<FacilityFunctions> logger)
{
    private const string Tag = "MyKey facilities";

    [Function("FacilityRegister")]
    [ApiOperation(Tag, "A municipality registers a facility (library, sports hall) and the clients of its terminals.", Caller = ApiCaller.ServiceClient,
        Role = FacilityRoles.Admin, RequestBody = typeof(FacilityRegistration), Idempotent = true, Responses = [201, 401, 403, 409, 422])]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "mykey/facilities")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, FacilityRoles.Admin);
            var body = await RequestBody.ReadJsonAsync<FacilityRegistration>(request, cancellationToken);
            return new StoredResponseResult(await facilities.RegisterAsync(body, IdempotencyKeyOf(request), caller, cancellationToken));
        });

    [Function("FacilityLink")]
    [ApiOperation(Tag, "The logged-in citizen links their MyKey ID to their user number at the facility.", Caller = ApiCaller.Citizen,
        RequestBody = typeof(FacilityLinkRequest), Idempotent = true, Responses = [201, 401, 404, 409, 422])]
    public Task<IActionResult> Link(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "mykey/facilities/{facilityId}/links")] HttpRequest request,
        string facilityId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<FacilityLinkRequest>(request, cancellationToken);
            return new StoredResponseResult(await facilities.LinkAsync(facilityId, citizen, body, IdempotencyKeyOf(request), cancellationToken));
        });

    [Function("FacilityGetMyLink")]
    [ApiOperation(Tag, "The logged-in citizen's user number at the facility.", Caller = ApiCaller.Citizen, Responses = [200, 401, 404])]
    public Task<IActionResult> GetMyLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "mykey/facilities/{facilityId}/links/me")] HttpRequest request,
        string facilityId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            return ApiJson.Ok(await facilities.GetLinkAsync(facilityId, citizen, cancellationToken));
        });

    [Function("FacilityCheckIn")]
    [ApiOperation(Tag, "The facility's terminal resolves the freshly logged-in citizen to their user number and logs the check-in.",
        Caller = ApiCaller.CitizenAndServiceClient, Role = FacilityRoles.Checkin, Idempotent = true, Responses = [201, 401, 403, 404, 422])]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "mykey/facilities/{facilityId}/checkins")] HttpRequest request,
        string facilityId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var terminal = clients.RequireServiceClient(request, FacilityRoles.Checkin);
            var citizen = await citizens.RequireCitizenAsync(request, terminal, cancellationToken);

            // The body is optional and carries nothing; it is still read under the 1 MiB and JSON rules.
            _ = await RequestBody.ReadOptionalJsonAsync<object>(request, cancellationToken);
            var response = await facilities.CheckInAsync(facilityId, citizen, terminal, IdempotencyKeyOf(request), cancellationToken);
            logger.LogInformation("Check-in at facility {FacilityId} by terminal {ClientId}", facilityId, terminal.ClientId);
            return new StoredResponseResult(response);
        });

    [Function("FacilityCheckinLog")]
    [ApiOperation(Tag, "The facility's check-in log, newest first (user number, terminal, time), for the client that registered it; ?limit=1–200 (50), ?after=<next of the previous page>.",
        Caller = ApiCaller.ServiceClient, Role = FacilityRoles.Admin, Query = ["limit", "after"], Responses = [200, 400, 401, 403, 404])]
    public Task<IActionResult> CheckinLog(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "mykey/facilities/{facilityId}/checkins")] HttpRequest request,
        string facilityId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, FacilityRoles.Admin);
            var after = request.Query["after"].ToString() is { Length: > 0 } value ? value : null;
            return ApiJson.Ok(await facilities.ListCheckinsAsync(facilityId, QueryParameters.Limit(request), after, caller, cancellationToken));
        });
}
