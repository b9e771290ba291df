using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;
using static ServerlessMyKey.Functions.Http.StoredResponseResult;

namespace ServerlessMyKey.Functions.Disaster;

/// <summary>CAP alerts from municipality staff, their delivery status, and the queue trigger of the fan-out.</summary>
public sealed class DisasterAlertFunctions(
    AlertService alerts,
    AlertFanOut fanOut,
    ServiceClientAuthenticator clients,
    ILogger<DisasterAlertFunctions> logger)
{
    private const string Tag = "Disaster: alerts";

    [Function("DisasterAlertSubmit")]
    [ApiOperation(Tag, "Municipality staff post a CAP 1.2 <alert> (OASIS namespace). Actual is delivered to every targeted TV, Exercise as a drill; Test, System and Draft are stored only; Update and Cancel reach every TV the referenced alert reached. Malformed CAP is 400 invalid_cap naming the element.",
        Caller = ApiCaller.ServiceClient, Role = DisasterRoles.Admin, RequestContentTypes = ["application/cap+xml", "application/xml"], ResponseBody = typeof(AlertAccepted),
        Idempotent = true, Responses = [202, 401, 403, 409, 415, 422])]
    public Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/alerts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, DisasterRoles.Admin);
            var mediaType = (request.ContentType ?? string.Empty).Split(';', 2)[0].Trim();
            if (!mediaType.Equals("application/cap+xml", StringComparison.OrdinalIgnoreCase) && !mediaType.Equals("application/xml", StringComparison.OrdinalIgnoreCase))
            {
                throw new ServiceException(ErrorCodes.UnsupportedMediaType, "The body must be a CAP 1.2 alert as application/cap+xml or application/xml.");
            }

            var body = await RequestBody.ReadBytesAsync(request, cancellationToken);
            var response = await alerts.SubmitAsync(body, IdempotencyKeyOf(request), caller, cancellationToken);
            logger.LogInformation("CAP alert accepted from client {ClientId}", caller.ClientId);
            return new StoredResponseResult(response);
        });

    [Function("DisasterAlertStatus")]
    [ApiOperation(Tag, "The alert's status and per-TV delivery counts (delivered, failed, displayed…) with the TVs whose delivery gave up (the poison path).",
        Caller = ApiCaller.ServiceClient, Role = DisasterRoles.Admin, ResponseBody = typeof(AlertStatusView), Responses = [200, 401, 403, 404])]
    public Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/alerts/{alertId}")] HttpRequest request,
        string alertId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
            ApiJson.Ok(await alerts.GetStatusAsync(alertId, clients.RequireServiceClient(request, DisasterRoles.Admin), cancellationToken)));

    /// <summary>The fan-out: plans an alert's deliveries or delivers a batch (<c>Disaster:DeliveryQueue</c>).</summary>
    [Function("DisasterAlertWork")]
    public Task Work([QueueTrigger("%Disaster:DeliveryQueue%")] string message, CancellationToken cancellationToken) =>
        fanOut.RunAsync(Azure.Disaster.StorageAlertWorkQueue.Parse(message), cancellationToken);
}
