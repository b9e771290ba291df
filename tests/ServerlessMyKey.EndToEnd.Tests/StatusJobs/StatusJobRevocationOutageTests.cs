using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Certificates.StatusJobs;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.StatusJobs;

/// <summary>
/// A DevHost whose CRL files do not exist: a chunk is not recorded as <c>unknown</c> while the queue
/// can still retry it, and is recorded (fail closed, with the reason) on its last delivery.
/// </summary>
public sealed class StatusJobRevocationOutageTests(StatusJobRevocationOutageTests.NoCrlFixture app) : IClassFixture<StatusJobRevocationOutageTests.NoCrlFixture>
{
    public sealed class NoCrlFixture : DevHostFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
        {
            ["Clients:e2e-jobs-insurer:ApiKey"] = StatusJobApiFixture.InsurerKey,
            ["Clients:e2e-jobs-insurer:Roles"] = "certificates.status",
            ["Jpki:Revocation:CrlFiles:0"] = Path.Combine(Path.GetTempPath(), "no-such-crl-" + Guid.NewGuid().ToString("N") + ".crl"),
            ["Jpki:Revocation:CrlFiles:1"] = Path.Combine(Path.GetTempPath(), "no-such-crl-" + Guid.NewGuid().ToString("N") + ".crl"),
        };
    }

    [Fact]
    public async Task A_chunk_is_retried_while_revocation_is_unavailable_and_recorded_on_its_last_delivery()
    {
        var certificate = Convert.ToBase64String(app.Pki.IssueAuthenticationCertificates(1)[0]);
        using var created = await app.SendAsync(HttpMethod.Post, "/api/certificates/status-jobs", new { certificates = new[] { certificate } }, StatusJobApiFixture.InsurerKey);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var jobId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var jobs = app.Host.Services.GetRequiredService<StatusJobService>();
        var chunk = new StatusJobChunk(jobId, 1);

        await Assert.ThrowsAsync<RevocationTemporarilyUnavailableException>(() => jobs.ProcessChunkAsync(chunk, lastDelivery: false));
        Assert.Equal("queued", (await GetAsync(jobId)).GetProperty("status").GetString());

        await jobs.ProcessChunkAsync(chunk, lastDelivery: true);
        var job = await GetAsync(jobId);
        Assert.Equal("completed", job.GetProperty("status").GetString());
        var result = Assert.Single(job.GetProperty("results").EnumerateArray());
        Assert.Equal("unknown", result.GetProperty("status").GetString());
        Assert.Equal("revocation_unavailable", result.GetProperty("reason").GetString());
    }

    private async Task<JsonElement> GetAsync(string jobId)
    {
        using var response = await app.SendAsync(HttpMethod.Get, $"/api/certificates/status-jobs/{jobId}", apiKey: StatusJobApiFixture.InsurerKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
