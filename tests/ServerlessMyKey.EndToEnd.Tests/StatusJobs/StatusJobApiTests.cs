using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Core.Certificates.StatusJobs;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.StatusJobs;

/// <summary>
/// <c>/api/certificates/status-jobs</c> through the DevHost: creation, parts, the queue-triggered
/// chunks, progress and results — and one refusal per code.
/// </summary>
public sealed class StatusJobApiTests(StatusJobApiFixture app) : IClassFixture<StatusJobApiFixture>
{
    private static readonly TimeSpan Completion = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task One_part_job_checks_every_certificate_and_answers_in_order()
    {
        var good = app.Pki.IssueCard(SignaturesHolder);
        var revoked = app.Pki.IssueCard(SignaturesHolder);
        app.Pki.Revoke(revoked, CardCertificates.Authentication, X509RevocationReason.KeyCompromise);
        await app.WaitUntilRevokedAsync(B64(revoked.AuthenticationCertificate));

        using var created = await app.PostJobAsync(new { certificates = new[] { B64(good.SigningCertificate), B64(revoked.AuthenticationCertificate), "MAA" } });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var accepted = await created.Content.ReadFromJsonAsync<JsonElement>();
        var jobId = accepted.GetProperty("jobId").GetString()!;
        Assert.Equal("/api/certificates/status-jobs/" + jobId, created.Headers.Location?.OriginalString);
        Assert.Equal(3, accepted.GetProperty("total").GetInt32());

        var job = await app.WaitForCompletionAsync(jobId, Completion);
        Assert.Equal(3, job.GetProperty("processed").GetInt32());
        var summary = job.GetProperty("summary");
        Assert.Equal((1, 1, 0, 1), (summary.GetProperty("good").GetInt32(), summary.GetProperty("revoked").GetInt32(), summary.GetProperty("expired").GetInt32(), summary.GetProperty("unknown").GetInt32()));
        Assert.True(job.TryGetProperty("completedAt", out _));
        var results = job.GetProperty("results");
        Assert.Equal(3, results.GetArrayLength());
        Assert.Equal(("good", "signing", good.SigningCertificate.SerialNumber), View(results[0]));
        Assert.Equal(("revoked", "authentication", revoked.AuthenticationCertificate.SerialNumber), View(results[1]));
        Assert.Equal("keyCompromise", results[1].GetProperty("reason").GetString());
        Assert.Equal("unknown", results[2].GetProperty("status").GetString());
        Assert.Equal("certificate_malformed", results[2].GetProperty("reason").GetString());

        // Streamed like every other answer: times as the API writes them ("+00:00", not "\u002B00:00").
        using var raw = await app.GetJobAsync(jobId);
        var text = await raw.Content.ReadAsStringAsync();
        Assert.Contains("+00:00", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_in_parts_waits_for_every_part_takes_retries_and_refuses_changes()
    {
        var certificates = app.Pki.IssueAuthenticationCertificates(5).Select(Convert.ToBase64String).ToArray();
        var jobId = await app.CreateAsync(new { parts = 3 }, HttpStatusCode.Created);

        using (var first = await app.PutPartAsync(jobId, 3, certificates[3..]))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var again = await app.PutPartAsync(jobId, 3, certificates[3..]))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode); // the same part again is a retry
        }

        await ProblemAssert.ExactAsync(await app.PutPartAsync(jobId, 3, certificates[..1]), HttpStatusCode.Conflict, "status_job_part_conflict");
        await ProblemAssert.ExactAsync(await app.PutPartAsync(jobId, 4, certificates[..1]), HttpStatusCode.BadRequest, "invalid_request");
        using (var second = await app.PutPartAsync(jobId, 1, certificates[..2]))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        using (var receiving = await app.GetJobAsync(jobId))
        {
            var job = await receiving.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("receiving", job.GetProperty("status").GetString());
            Assert.Equal(2, job.GetProperty("partsReceived").GetInt32());
            Assert.False(job.TryGetProperty("results", out _));
        }

        using (var last = await app.PutPartAsync(jobId, 2, certificates[2..3]))
        {
            Assert.Equal(HttpStatusCode.Accepted, last.StatusCode);
            Assert.Equal(5, (await last.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("total").GetInt32());
        }

        using (var lastAgain = await app.PutPartAsync(jobId, 2, certificates[2..3]))
        {
            Assert.Equal(HttpStatusCode.Accepted, lastAgain.StatusCode); // a retry after a lost answer
        }

        await ProblemAssert.ExactAsync(await app.PutPartAsync(jobId, 2, certificates[..1]), HttpStatusCode.Conflict, "status_job_closed");

        var done = await app.WaitForCompletionAsync(jobId, Completion);
        var serials = done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("serialNumber").GetString()).ToArray();
        Assert.Equal(certificates.Select(c => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(c)).SerialNumber), serials);
        Assert.All(done.GetProperty("results").EnumerateArray(), r => Assert.Equal("good", r.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_redelivered_chunk_changes_nothing()
    {
        var certificates = app.Pki.IssueAuthenticationCertificates(2).Select(Convert.ToBase64String).ToArray();
        var jobId = await app.CreateAsync(new { certificates }, HttpStatusCode.Accepted);
        var before = await app.WaitForCompletionAsync(jobId, Completion);

        // The queue delivers at least once: the same chunk again, after the part's certificates are gone.
        await app.Host.Services.GetRequiredService<StatusJobService>().ProcessChunkAsync(new StatusJobChunk(jobId, 1), lastDelivery: true);

        using var after = await app.GetJobAsync(jobId);
        Assert.Equal(before.ToString(), (await after.Content.ReadFromJsonAsync<JsonElement>()).ToString());
        Assert.Null(await app.Host.Services.GetRequiredService<IStatusJobStore>().ReadPartAsync(jobId, 1)); // certificates are not kept once checked
    }

    [Fact]
    public async Task A_chunk_that_arrives_before_its_job_is_marked_queued_marks_it_and_is_checked()
    {
        // The completing upload queues the chunks first and marks the job queued after: a fast queue can deliver in between.
        var store = app.Host.Services.GetRequiredService<IStatusJobStore>();
        var jobs = app.Host.Services.GetRequiredService<StatusJobService>();
        var jobId = Guid.NewGuid().ToString("N");
        Assert.True(await store.TryCreateAsync(new StatusJobRecord(jobId, "e2e-jobs-insurer", 2, StatusJobState.Receiving, DateTimeOffset.UtcNow)));
        await store.PutPartAsync(jobId, 1, StatusJobPart.From(app.Pki.IssueAuthenticationCertificates(1)));

        // A part is missing: the chunk cannot be checked yet and must come back.
        await Assert.ThrowsAsync<InvalidOperationException>(() => jobs.ProcessChunkAsync(new StatusJobChunk(jobId, 1), lastDelivery: false));

        await store.PutPartAsync(jobId, 2, StatusJobPart.From(app.Pki.IssueAuthenticationCertificates(1)));
        await jobs.ProcessChunkAsync(new StatusJobChunk(jobId, 1), lastDelivery: false);
        await jobs.ProcessChunkAsync(new StatusJobChunk(jobId, 2), lastDelivery: false);

        var job = await app.WaitForCompletionAsync(jobId, Completion);
        Assert.Equal(2, job.GetProperty("total").GetInt32());
        Assert.Equal(2, job.GetProperty("summary").GetProperty("good").GetInt32());
    }

    [Fact]
    public async Task The_same_idempotency_key_answers_the_first_answer_again_and_another_body_is_refused()
    {
        var certificate = Convert.ToBase64String(app.Pki.IssueAuthenticationCertificates(1)[0]);
        var key = "jobs-" + Guid.NewGuid().ToString("N");
        var first = await BodyOf(await app.PostJobAsync(new { certificates = new[] { certificate } }, idempotencyKey: key), HttpStatusCode.Accepted);
        await app.WaitForCompletionAsync(JsonDocument.Parse(first).RootElement.GetProperty("jobId").GetString()!, Completion);
        var second = await BodyOf(await app.PostJobAsync(new { certificates = new[] { certificate } }, idempotencyKey: key), HttpStatusCode.Accepted);
        Assert.Equal(first, second); // the first answer again, though the job has completed since
        await ProblemAssert.ExactAsync(await app.PostJobAsync(new { parts = 2 }, idempotencyKey: key), (HttpStatusCode)422, "idempotency_key_reused");

        var partsKey = "jobs-" + Guid.NewGuid().ToString("N");
        var created = await BodyOf(await app.PostJobAsync(new { parts = 1 }, idempotencyKey: partsKey), HttpStatusCode.Created);
        using (var part = await app.PutPartAsync(JsonDocument.Parse(created).RootElement.GetProperty("jobId").GetString()!, 1, [certificate]))
        {
            Assert.Equal(HttpStatusCode.Accepted, part.StatusCode);
        }

        Assert.Equal(created, await BodyOf(await app.PostJobAsync(new { parts = 1 }, idempotencyKey: partsKey), HttpStatusCode.Created));
    }

    [Fact]
    public async Task Retrying_a_completed_job_with_its_key_writes_no_certificates_again()
    {
        var certificate = Convert.ToBase64String(app.Pki.IssueAuthenticationCertificates(1)[0]);
        var key = "jobs-" + Guid.NewGuid().ToString("N");
        var first = await BodyOf(await app.PostJobAsync(new { certificates = new[] { certificate } }, idempotencyKey: key), HttpStatusCode.Accepted);
        var jobId = JsonDocument.Parse(first).RootElement.GetProperty("jobId").GetString()!;
        await app.WaitForCompletionAsync(jobId, Completion);

        var retry = await BodyOf(await app.PostJobAsync(new { certificates = new[] { certificate } }, idempotencyKey: key), HttpStatusCode.Accepted);

        Assert.Equal(first, retry);
        // The container holds the job and its results, not the certificates (with the 基本4情報) checked and deleted before.
        var container = app.Host.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient("certificate-status-jobs");
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = jobId + "/" }))
        {
            names.Add(blob.Name);
        }

        Assert.Equal([$"{jobId}/job.json", $"{jobId}/results/0001.json"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_deleted_job_is_gone_with_its_certificates_and_results()
    {
        var certificates = app.Pki.IssueAuthenticationCertificates(2).Select(Convert.ToBase64String).ToArray();
        var done = await app.CreateAsync(new { certificates }, HttpStatusCode.Accepted);
        await app.WaitForCompletionAsync(done, Completion);
        var waiting = await app.CreateAsync(new { parts = 2 }, HttpStatusCode.Created);
        using (var part = await app.PutPartAsync(waiting, 1, certificates))
        {
            Assert.Equal(HttpStatusCode.OK, part.StatusCode);
        }

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Delete, $"/api/certificates/status-jobs/{done}", apiKey: StatusJobApiFixture.OtherInsurerKey), HttpStatusCode.NotFound, "status_job_not_found");
        foreach (var jobId in new[] { done, waiting })
        {
            using var deleted = await app.SendAsync(HttpMethod.Delete, $"/api/certificates/status-jobs/{jobId}", apiKey: StatusJobApiFixture.InsurerKey);
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            await ProblemAssert.ExactAsync(await app.GetJobAsync(jobId), HttpStatusCode.NotFound, "status_job_not_found");
        }

        var store = app.Host.Services.GetRequiredService<IStatusJobStore>();
        Assert.Empty(await store.ListResultsAsync(done));
        Assert.Null(await store.ReadPartAsync(waiting, 1)); // the uploaded certificates are gone
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Delete, $"/api/certificates/status-jobs/{done}", apiKey: StatusJobApiFixture.InsurerKey), HttpStatusCode.NotFound, "status_job_not_found");
    }

    [Fact]
    public async Task A_job_is_visible_only_to_its_client()
    {
        var jobId = await app.CreateAsync(new { parts = 1 }, HttpStatusCode.Created);
        await ProblemAssert.ExactAsync(await app.GetJobAsync(jobId, StatusJobApiFixture.OtherInsurerKey), HttpStatusCode.NotFound, "status_job_not_found");
        await ProblemAssert.ExactAsync(await app.PutPartAsync(jobId, 1, ["MAA"], StatusJobApiFixture.OtherInsurerKey), HttpStatusCode.NotFound, "status_job_not_found");
        await ProblemAssert.ExactAsync(await app.GetJobAsync(new string('a', 32)), HttpStatusCode.NotFound, "status_job_not_found");
        await ProblemAssert.ExactAsync(await app.GetJobAsync("..%2F..%2Fjob"), HttpStatusCode.NotFound, "status_job_not_found");
    }

    [Fact]
    public async Task Callers_without_the_role_or_a_key_are_refused()
    {
        await ProblemAssert.ExactAsync(await app.PostJobAsync(new { parts = 1 }, StatusJobApiFixture.NoRoleKey), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ExactAsync(await app.PostJobAsync(new { parts = 1 }, "wrong-key"), HttpStatusCode.Unauthorized, "unauthenticated");
        await ProblemAssert.ExactAsync(await app.GetJobAsync(new string('a', 32), StatusJobApiFixture.NoRoleKey), HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"parts\":0}")]
    [InlineData("{\"parts\":1001}")]
    [InlineData("{\"parts\":2,\"certificates\":[\"MAA\"]}")]
    [InlineData("{\"certificates\":[]}")]
    [InlineData("{\"certificates\":[\"***\"]}")]
    public async Task Malformed_creations_are_400(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/certificates/status-jobs") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", StatusJobApiFixture.InsurerKey);
        await ProblemAssert.ExactAsync(await app.Http.SendAsync(request), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Parts_over_100000_certificates_reject_the_job()
    {
        // 101 parts of 1,000 one-byte "certificates": 101,000 entries, cheap to send.
        var part = Enumerable.Repeat("AA", 1000).ToArray();
        var jobId = await app.CreateAsync(new { parts = 101 }, HttpStatusCode.Created);
        await Parallel.ForAsync(1, 101, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (number, _) =>
        {
            using var response = await app.PutPartAsync(jobId, number, part);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        await ProblemAssert.ExactAsync(await app.PutPartAsync(jobId, 101, part), (HttpStatusCode)422, "status_job_too_large");
        using var job = await app.GetJobAsync(jobId);
        Assert.Equal("rejected", (await job.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    private static readonly CardHolder SignaturesHolder = new("山田\u3000太郎", "東京都千代田区霞が関2-1-2", new DateOnly(1985, 7, 7), "male");

    private static string B64(X509Certificate2 certificate) => Convert.ToBase64String(certificate.RawData);

    private static (string?, string?, string?) View(JsonElement result) =>
        (result.GetProperty("status").GetString(), result.GetProperty("kind").GetString(), result.GetProperty("serialNumber").GetString());

    private static async Task<string> BodyOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            Assert.Equal(expected, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }
    }
}
