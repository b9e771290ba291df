using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Disaster;

/// <summary>TV operation logs, posted by the TV platform's signed webhook.</summary>
public sealed class TvPlatformEventFunctions(OperationLogService logs, WebhookAuthenticator webhooks, ServiceClientAuthenticator clients, ILogger<TvPlatformEventFunctions> logger)
{
    [Function("TvPlatformEvents")]
    [ApiOperation("Disaster: TV operation logs", "A TV platform posts 1–1,000 operation-log events (x-mykey-signature under Webhooks:<platformId>:Secret); idempotent per eventId; events of TVs not linked through this platform are counted and dropped.",
        Caller = ApiCaller.Webhook, RequestBody = typeof(TvEventBatch), ResponseBody = typeof(TvEventsAccepted), Responses = [202, 401])]
    public Task<IActionResult> Post(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tv/platforms/{platformId}/events")] HttpRequest request,
        string platformId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            // Only a TV platform's own webhook source: another source's secret (Mynaportal's, say) is no TV platform's credential.
            if (!clients.IsClientWithRole(platformId, DisasterRoles.TvPlatform))
            {
                throw new ServiceException(ErrorCodes.Unauthenticated, "Unknown webhook source.");
            }

            var body = await webhooks.ReadVerifiedWebhookAsync(request, platformId, cancellationToken);
            TvEventBatch? batch;
            try
            {
                batch = JsonSerializer.Deserialize<TvEventBatch>(body, ApiJson.Options);
            }
            catch (JsonException ex)
            {
                throw new ServiceException(ErrorCodes.InvalidJson, $"The request body is not valid JSON for this operation (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).");
            }

            var result = await logs.IngestAsync(platformId, batch ?? throw new ServiceException(ErrorCodes.InvalidRequest, "A JSON request body is required."), cancellationToken);
            logger.LogInformation("Platform {PlatformId} posted events: {Accepted} accepted, {Duplicates} duplicates, {Unknown} of unknown TVs", platformId, result.Accepted, result.Duplicates, result.UnknownTvs);
            return ApiJson.Accepted(result);
        });
}
