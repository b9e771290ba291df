using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Disaster;

/// <summary>TV pairing: the platform asks for a code, the resident claims it with a JPKI login; registrations and unlinking; the municipality's residents.</summary>
public sealed class TvPairingFunctions(
    TvPairingService pairings,
    ServiceClientAuthenticator clients,
    ICitizenAuthenticator citizens,
    ILogger<TvPairingFunctions> logger)
{
    private const string Tag = "Disaster: TV pairing";

    [Function("TvPairingCreate")]
    [ApiOperation(Tag, "A TV platform asks for a pairing code for one of its TVs (single use, 10 minutes); the TV shows qrPayload as a QR code.",
        Caller = ApiCaller.ServiceClient, Role = DisasterRoles.TvPlatform, RequestBody = typeof(PairingRequest), ResponseBody = typeof(PairingCreated), Responses = [201, 401, 403])]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tv/pairings")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var platform = clients.RequireServiceClient(request, DisasterRoles.TvPlatform);
            var body = await RequestBody.ReadJsonAsync<PairingRequest>(request, cancellationToken);
            return ApiJson.Created(await pairings.CreatePairingAsync(body, platform, cancellationToken));
        });

    [Function("TvPairingClaim")]
    [ApiOperation(Tag, "The logged-in resident claims the code the TV shows and registers display name, furigana, municipality, district and consent to watching.",
        Caller = ApiCaller.Citizen, RequestBody = typeof(PairingClaim), ResponseBody = typeof(PairingClaimed), Responses = [201, 401, 404, 409, 410, 422])]
    public Task<IActionResult> Claim(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tv/pairings/{pairingCode}/claim")] HttpRequest request,
        string pairingCode,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var body = await RequestBody.ReadJsonAsync<PairingClaim>(request, cancellationToken);
            var claimed = await pairings.ClaimAsync(pairingCode, body, citizen, cancellationToken);
            logger.LogInformation("TV {TvId} paired with resident {ResidentId}", claimed.TvId, claimed.ResidentId);
            return ApiJson.Created(claimed);
        });

    [Function("TvRegistrations")]
    [ApiOperation(Tag, "The logged-in resident's linked TVs.", Caller = ApiCaller.Citizen, ResponseBody = typeof(TvRegistrationList), Responses = [200, 401])]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "tv/registrations")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
            ApiJson.Ok(await pairings.ListRegistrationsAsync(await citizens.RequireCitizenAsync(request, cancellationToken), cancellationToken)));

    [Function("TvUnlinkOfPlatform")]
    [ApiOperation(Tag, "The logged-in resident unlinks one of their TVs, named by its platform and id: no more alerts, and its logs stop counting → 204.", Caller = ApiCaller.Citizen, Responses = [204, 401, 404, 409])]
    public Task<IActionResult> UnlinkOfPlatform(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "tv/registrations/{platformId}/{tvId}")] HttpRequest request,
        string platformId,
        string tvId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            await pairings.UnlinkAsync(platformId, tvId, await citizens.RequireCitizenAsync(request, cancellationToken), cancellationToken);
            return new NoContentResult();
        });

    [Function("TvUnlink")]
    [ApiOperation(Tag, "The logged-in resident unlinks their TV of this id (400 when two of their TVs, of two platforms, have it: name the platform) → 204.", Caller = ApiCaller.Citizen, Responses = [204, 400, 401, 404, 409])]
    public Task<IActionResult> Unlink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "tv/registrations/{tvId}")] HttpRequest request,
        string tvId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            await pairings.UnlinkAsync(null, tvId, await citizens.RequireCitizenAsync(request, cancellationToken), cancellationToken);
            return new NoContentResult();
        });

    [Function("DisasterResidents")]
    [ApiOperation(Tag, "The municipality's registered residents (names, district, consent, TVs) for its staff; ?municipalityCode= (required), ?districtCode=.",
        Caller = ApiCaller.ServiceClient, Role = DisasterRoles.Admin, Query = ["municipalityCode", "districtCode"], ResponseBody = typeof(ResidentList), Responses = [200, 401, 403, 422])]
    public Task<IActionResult> Residents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/residents")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, DisasterRoles.Admin);
            return ApiJson.Ok(await pairings.ListResidentsAsync(DisasterQuery.Optional(request, "municipalityCode"), DisasterQuery.Optional(request, "districtCode"), caller, cancellationToken));
        });
}
