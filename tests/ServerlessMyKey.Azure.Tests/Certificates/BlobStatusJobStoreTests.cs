using Azure.Storage.Blobs;
using ServerlessMyKey.Azure.Certificates;
using ServerlessMyKey.Core.Certificates;
using ServerlessMyKey.Core.Certificates.StatusJobs;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Certificates;

/// <summary>The status-job blobs on Azurite: write-once parts and results, versioned job records, progress from one listing.</summary>
public sealed class BlobStatusJobStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private BlobStatusJobStore Store() => new(new BlobServiceClient(azurite.ConnectionString));

    private static string NewJobId() => Guid.NewGuid().ToString("N");

    private static StatusJobPart Part(params byte[][] certificates) => StatusJobPart.From(certificates);

    [Fact]
    public async Task A_part_is_written_once_the_same_content_is_identical_and_other_content_conflicts()
    {
        var store = Store();
        var jobId = NewJobId();
        Assert.Equal(PartWrite.Created, await store.PutPartAsync(jobId, 1, Part([1, 2], [3])));
        Assert.Equal(PartWrite.Identical, await store.PutPartAsync(jobId, 1, Part([1, 2], [3])));
        Assert.Equal(PartWrite.Conflict, await store.PutPartAsync(jobId, 1, Part([1, 2])));

        var stored = await store.ReadPartAsync(jobId, 1);
        Assert.Equal([[1, 2], [3]], stored!.Certificates);
        var listed = Assert.Single(await store.ListPartsAsync(jobId));
        Assert.Equal((1, 2, stored.ContentHash), (listed.Part, listed.Count, listed.ContentHash));

        await store.DeletePartAsync(jobId, 1);
        Assert.Null(await store.ReadPartAsync(jobId, 1));
        Assert.Empty(await store.ListPartsAsync(jobId));
    }

    [Fact]
    public async Task Results_are_written_once_with_their_counts()
    {
        var store = Store();
        var jobId = NewJobId();
        var now = DateTimeOffset.UtcNow;
        CertificateStatusView[] first = [new("01", "signing", "good", now), new("02", "signing", "revoked", now, "keyCompromise", now), new(null, null, "unknown", now, "certificate_malformed")];
        Assert.True(await store.TryPutResultsAsync(jobId, 7, first, "aa"));
        Assert.False(await store.TryPutResultsAsync(jobId, 7, [new("03", "signing", "good", now)], "bb"));

        var listed = Assert.Single(await store.ListResultsAsync(jobId));
        Assert.Equal(7, listed.Part);
        Assert.Equal(new StatusJobSummary(1, 1, 0, 1), listed.Summary);
        Assert.Equal("aa", listed.PartContentHash);
        var json = System.Text.Encoding.UTF8.GetString((await store.ReadResultsAsync(jobId, 7))!);
        Assert.Contains("\"keyCompromise\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"03\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_record_is_created_once_and_replaced_only_at_its_version()
    {
        var store = Store();
        var job = new StatusJobRecord(NewJobId(), "insurer", 3, StatusJobState.Receiving, DateTimeOffset.UtcNow);
        Assert.True(await store.TryCreateAsync(job));
        Assert.False(await store.TryCreateAsync(job with { ClientId = "someone-else" }));

        var stored = (await store.FindAsync(job.JobId))!;
        Assert.Equal(job, stored.Value);
        Assert.True(await store.TryReplaceAsync(job with { State = StatusJobState.Queued, Total = 10 }, stored.Version));
        Assert.False(await store.TryReplaceAsync(job with { State = StatusJobState.Rejected }, stored.Version));
        Assert.Equal(StatusJobState.Queued, (await store.FindAsync(job.JobId))!.Value.State);
        Assert.Null(await store.FindAsync(NewJobId()));
    }
}
