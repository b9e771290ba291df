using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Health;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Health;

/// <summary><c>GET /api/health</c>: 200 when Table, Blob and Queue storage all answer, 503 otherwise.</summary>
public sealed class HealthFunction(IEnumerable<IHealthProbe> probes, ILogger<HealthFunction> logger)
{
    [Function("Health")]
    [ApiOperation("Health", "Reports whether storage (tables, blobs, queues) answers.", Responses = [200, 503])]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var results = await Task.WhenAll(probes.Select(p => p.CheckAsync(cancellationToken)));
            var healthy = results.All(r => r.Healthy);
            var body = new HealthReport(
                healthy ? "ok" : "unavailable",
                results.ToDictionary(r => r.Name, r => r.Healthy ? "ok" : r.Reason ?? "unavailable"));
            if (!healthy)
            {
                logger.LogWarning("Health check failed: {Failures}", string.Join(", ", results.Where(r => !r.Healthy).Select(r => r.Name)));
            }

            return new JsonBodyResult(body, healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
}

public sealed record HealthReport(string Status, IReadOnlyDictionary<string, string> Checks);
