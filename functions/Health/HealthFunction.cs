using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Health;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Health;

/// <summary>
/// <c>GET /api/health</c>: 200 when Table, Blob and Queue storage all answer, otherwise 503
/// <c>storage_unavailable</c>. The body also reports revocation freshness
/// (<c>ok | stale_soon | stale | unavailable</c> per source); it does not change the status code, so
/// a load balancer's liveness probe uses the status code and monitoring reads <c>revocation</c>.
/// </summary>
public sealed class HealthFunction(IEnumerable<IHealthProbe> probes, RevocationFreshness revocation, ILogger<HealthFunction> logger)
{
    [Function("Health")]
    [ApiOperation("Health", "Reports whether storage (tables, blobs, queues) answers, and how fresh the revocation data is.", Responses = [200, 503])]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var revocationReport = revocation.ReportAsync(cancellationToken);
            var results = await Task.WhenAll(probes.Select(p => p.CheckAsync(cancellationToken)));
            var failed = results.Where(r => !r.Healthy).ToList();
            if (failed.Count > 0)
            {
                logger.LogWarning("Health check failed: {Failures}", string.Join(", ", failed.Select(r => $"{r.Name} ({r.Reason})")));
                throw new ServiceException(ErrorCodes.StorageUnavailable, "Storage did not answer: " + string.Join(", ", failed.Select(r => r.Name)) + ".");
            }

            return new JsonBodyResult(new HealthReport("ok", results.ToDictionary(r => r.Name, _ => "ok"), await revocationReport), StatusCodes.Status200OK);
        });
}

public sealed record HealthReport(string Status, IReadOnlyDictionary<string, string> Checks, RevocationReport Revocation);
