using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.StatusJobs;

/// <summary>The real app in a DevHost with two insurers (each sees only its own jobs) and a client without the role.</summary>
public sealed class StatusJobApiFixture : DevHostFixture
{
    public const string InsurerKey = "e2e-status-jobs-insurer-key-00000";
    public const string OtherInsurerKey = "e2e-status-jobs-other-insurer-key";
    public const string NoRoleKey = "e2e-status-jobs-no-role-key-00000";

    public Task<HttpResponseMessage> PostJobAsync(object body, string apiKey = InsurerKey, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, "/api/certificates/status-jobs", body, apiKey, idempotencyKey: idempotencyKey);

    public Task<HttpResponseMessage> PutPartAsync(string jobId, int part, IEnumerable<string> certificates, string apiKey = InsurerKey) =>
        SendAsync(HttpMethod.Put, $"/api/certificates/status-jobs/{jobId}/parts/{part}", new { certificates }, apiKey);

    public Task<HttpResponseMessage> GetJobAsync(string jobId, string apiKey = InsurerKey) =>
        SendAsync(HttpMethod.Get, $"/api/certificates/status-jobs/{jobId}", apiKey: apiKey);

    /// <summary>Creates a job and returns its id, asserting the status code.</summary>
    public async Task<string> CreateAsync(object body, HttpStatusCode expected)
    {
        using var response = await PostJobAsync(body);
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
    }

    /// <summary>Polls until the job is completed (the queue function runs in the DevHost) and returns the whole answer.</summary>
    public Task<JsonElement> WaitForCompletionAsync(string jobId, TimeSpan timeout) => WaitForCompletionAsync(() => GetJobAsync(jobId), timeout);

    /// <summary>Polls the job with <paramref name="getJob"/> (its client's <c>GET</c>) until it is completed, and returns the whole answer.</summary>
    public static async Task<JsonElement> WaitForCompletionAsync(Func<Task<HttpResponseMessage>> getJob, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(getJob);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await getJob();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var job = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (job.GetProperty("status").GetString() == "completed")
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The job did not complete in {timeout}: {job}");
            await Task.Delay(250);
        }
    }

    /// <summary>Waits until the DevHost has picked up the CRL that revokes <paramref name="certificate"/> (it looks every 5 seconds).</summary>
    public async Task WaitUntilRevokedAsync(string certificate)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            using var response = await SendAsync(HttpMethod.Post, "/api/certificates/status", new { certificates = new[] { certificate } }, InsurerKey);
            var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
            if (results[0].GetProperty("status").GetString() == "revoked")
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail("The revocation never showed.");
    }

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Clients:e2e-jobs-insurer:ApiKey"] = InsurerKey,
        ["Clients:e2e-jobs-insurer:Roles"] = "certificates.status",
        ["Clients:e2e-jobs-other:ApiKey"] = OtherInsurerKey,
        ["Clients:e2e-jobs-other:Roles"] = "certificates.status",
        ["Clients:e2e-jobs-none:ApiKey"] = NoRoleKey,
        ["Clients:e2e-jobs-none:Roles"] = "points.read",
    };
}
