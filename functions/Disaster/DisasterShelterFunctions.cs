using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Jpki.Verification;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Disaster;

/// <summary>
/// Shelter check-in (避難完了): the shelter terminal's key and the resident's card: the card's login proof over a
/// <c>shelter_checkin</c> challenge the terminal asked for (so the terminal never holds a proof that opens the resident's
/// session), or the resident's own bearer token.
/// </summary>
public sealed class DisasterShelterFunctions(ShelterCheckinService checkins, ServiceClientAuthenticator clients, ICitizenAuthenticator citizens, JpkiLogin login, ILogger<DisasterShelterFunctions> logger)
{
    [Function("DisasterShelterCheckin")]
    [ApiOperation("Disaster: shelters", "The shelter's terminal (x-api-key, disaster.shelter) checks in the resident whose card it read: body = the card's login proof over a shelter_checkin challenge this terminal asked for (or, without a body, the resident's own bearer token): status evacuated, the first time of the episode kept, the latest shelter.",
        Caller = ApiCaller.CitizenAndServiceClient, Role = DisasterRoles.Shelter, RequestBody = typeof(LoginProof), ResponseBody = typeof(ShelterCheckinResponse), Responses = [201, 400, 401, 403, 404, 409])]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/shelters/{shelterId}/checkins")] HttpRequest request,
        string shelterId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var terminal = clients.RequireServiceClient(request, DisasterRoles.Shelter);
            var proof = await RequestBody.ReadOptionalJsonAsync<LoginProof>(request, cancellationToken);
            var citizen = proof is null ? await citizens.RequireCitizenAsync(request, cancellationToken) : await ReadCardAsync(proof, terminal, cancellationToken);
            var response = await checkins.CheckInAsync(shelterId, citizen, terminal, cancellationToken);
            logger.LogInformation("Shelter {ShelterId} checked in resident {ResidentId} (terminal {ClientId})", shelterId, response.ResidentId, terminal.ClientId);
            return ApiJson.Created(response);
        });

    /// <summary>The resident whose card signed this terminal's <c>shelter_checkin</c> challenge; a card that never logged in is no resident.</summary>
    private async Task<Citizen> ReadCardAsync(LoginProof proof, ServiceClient terminal, CancellationToken cancellationToken)
    {
        var holder = await login.IdentifyAsync(proof, ChallengeUse.ShelterCheckin(terminal.ClientId), ExpiryGrace.None, cancellationToken);
        return holder.MyKeyId is { } myKeyId
            ? new Citizen(myKeyId, holder.Certificate.SerialNumber, holder.Certificate.NotAfter)
            : throw new ServiceException(ErrorCodes.ResidentNotRegistered);
    }
}
