using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Certificates;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Certificates;

/// <summary>Certificate status for insurers and other verifiers (API.md "Certificate status").</summary>
public sealed class CertificateStatusFunctions(CertificateStatusService status, ServiceClientAuthenticator clients, ILogger<CertificateStatusFunctions> logger)
{
    [Function("CertificateStatus")]
    [ApiOperation("Certificates", "Current status (good, revoked with reason and time, expired, unknown) of up to 1,000 JPKI certificates of either kind (生存確認 / 現況確認).",
        Caller = ApiCaller.ServiceClient, Role = CertificateRoles.Status, RequestBody = typeof(CertificateStatusRequest), Responses = [200, 400, 401, 403])]
    public Task<IActionResult> Check(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "certificates/status")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            clients.RequireServiceClient(request, CertificateRoles.Status);
            var body = await RequestBody.ReadJsonAsync<CertificateStatusRequest>(request, cancellationToken);
            return ApiJson.Ok(await status.CheckAsync(body, cancellationToken));
        });
}
