using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Certificates.Watches;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;
using static ServerlessMyKey.Functions.Http.StoredResponseResult;

namespace ServerlessMyKey.Functions.Certificates;

/// <summary>
/// The watch list (API.md "Certificate status"): a client registers certificates, lists and deletes
/// its watches; a daily re-check tells the client's webhook when one is revoked
/// (<see cref="CertificateWatchWorkers"/>). Only the owning client sees a watch.
/// </summary>
public sealed class CertificateWatchFunctions(CertificateWatchService watches, ServiceClientAuthenticator clients, ILogger<CertificateWatchFunctions> logger)
{
    private const string Tag = "Certificates";

    [Function("CertificateWatchRegister")]
    [ApiOperation(Tag, "Watches up to 500 JPKI certificates for the calling client, answering each one's watch id and current status; a daily re-check calls the client's webhook (certificate.revoked) when one is revoked.",
        Caller = ApiCaller.ServiceClient, Role = CertificateWatchRoles.Watch, RequestBody = typeof(WatchRegistrationRequest), Idempotent = true,
        Responses = [201, 400, 401, 403, 409, 422])]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "certificates/watches")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, CertificateWatchRoles.Watch);
            var body = await RequestBody.ReadJsonAsync<WatchRegistrationRequest>(request, cancellationToken);
            return new StoredResponseResult(await watches.RegisterAsync(body, IdempotencyKeyOf(request), caller, cancellationToken));
        });

    [Function("CertificateWatchList")]
    [ApiOperation(Tag, "The calling client's watches by id, paged by continuationToken (limit 1–200, default 100).", Query = ["limit", "continuationToken"],
        Caller = ApiCaller.ServiceClient, Role = CertificateWatchRoles.Watch, Responses = [200, 400, 401, 403])]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "certificates/watches")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, CertificateWatchRoles.Watch);
            return ApiJson.Ok(await watches.ListAsync(caller, QueryParameters.ContinuationToken(request), QueryParameters.Limit(request), cancellationToken));
        });

    [Function("CertificateWatchGet")]
    [ApiOperation(Tag, "One of the calling client's watches: state, last status, when its revocation was told.",
        Caller = ApiCaller.ServiceClient, Role = CertificateWatchRoles.Watch, Responses = [200, 401, 403, 404])]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "certificates/watches/{watchId}")] HttpRequest request,
        string watchId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, CertificateWatchRoles.Watch);
            return ApiJson.Ok(await watches.GetAsync(caller, watchId, cancellationToken));
        });

    [Function("CertificateWatchDelete")]
    [ApiOperation(Tag, "Stops watching a certificate and forgets it (its DER included).",
        Caller = ApiCaller.ServiceClient, Role = CertificateWatchRoles.Watch, Responses = [204, 401, 403, 404])]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "certificates/watches/{watchId}")] HttpRequest request,
        string watchId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var caller = clients.RequireServiceClient(request, CertificateWatchRoles.Watch);
            await watches.DeleteAsync(caller, watchId, cancellationToken);
            return new NoContentResult();
        });
}
