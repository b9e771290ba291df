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

/// <summary>Shelter check-in (避難完了): the shelter terminal's key and the resident's card login.</summary>
public sealed class DisasterShelterFunctions(ShelterCheckinService checkins, ServiceClientAuthenticator clients, ICitizenAuthenticator citizens, ILogger<DisasterShelterFunctions> logger)
{
    [Function("DisasterShelterCheckin")]
    [ApiOperation("Disaster: shelters", "The shelter's terminal (x-api-key, disaster.shelter) checks in the resident whose card just logged in (bearer): status evacuated, the first time of the episode kept, the latest shelter.",
        Caller = ApiCaller.CitizenAndServiceClient, Role = DisasterRoles.Shelter, ResponseBody = typeof(ShelterCheckinResponse), Responses = [201, 401, 403, 404])]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/shelters/{shelterId}/checkins")] HttpRequest request,
        string shelterId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var terminal = clients.RequireServiceClient(request, DisasterRoles.Shelter);
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            _ = await RequestBody.ReadOptionalJsonAsync<object>(request, cancellationToken);
            var response = await checkins.CheckInAsync(shelterId, citizen, terminal, cancellationToken);
            logger.LogInformation("Shelter {ShelterId} checked in resident {ResidentId} (terminal {ClientId})", shelterId, response.ResidentId, terminal.ClientId);
            return ApiJson.Created(response);
        });
}
