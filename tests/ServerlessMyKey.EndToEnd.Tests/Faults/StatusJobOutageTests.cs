using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.EndToEnd.Tests.StatusJobs;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Faults.StorageOutageFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Faults;

/// <summary>
/// Storage stops right after a certificate status job is queued (its chunk waits on the queue or is
/// being checked) and starts again: the job completes with every certificate checked once, and the
/// client's reads meanwhile are 503 <c>storage_unavailable</c>, never a 500.
/// </summary>
public sealed class StatusJobOutageTests(StorageOutageFixture app) : IClassFixture<StorageOutageFixture>
{
    [Fact]
    public async Task A_status_job_completes_after_storage_stops_and_starts_again()
    {
        var certificates = app.Pki.IssueAuthenticationCertificates(40).Select(Convert.ToBase64String).ToArray();
        using var created = await app.SendAsync(HttpMethod.Post, "api/certificates/status-jobs", new { certificates }, StatusKey, idempotencyKey: "fault-job-1");
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var jobId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;

        await OutageSteps.StopUntilNoticedAsync(app.Storage, app.Http);
        using (var during = await app.SendAsync(HttpMethod.Get, $"api/certificates/status-jobs/{jobId}", apiKey: StatusKey))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.Equal("storage_unavailable", (await during.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        await OutageSteps.StartUntilNoticedAsync(app.Storage, app.Http);

        var job = await StatusJobApiFixture.WaitForCompletionAsync(() => app.SendAsync(HttpMethod.Get, $"api/certificates/status-jobs/{jobId}", apiKey: StatusKey), TimeSpan.FromSeconds(120));
        Assert.Equal(40, job.GetProperty("total").GetInt32());
        Assert.Equal(40, job.GetProperty("processed").GetInt32());
        Assert.Equal(40, job.GetProperty("summary").GetProperty("good").GetInt32());
        var results = job.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(40, results.Count);
        Assert.All(results, r => Assert.Equal("good", r.GetProperty("status").GetString()));
    }
}
