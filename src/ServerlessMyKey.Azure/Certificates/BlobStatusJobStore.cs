using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ServerlessMyKey.Core.Certificates;
using ServerlessMyKey.Core.Certificates.StatusJobs;
using ServerlessMyKey.Core.Idempotency;

using ServerlessMyKey.Azure.Storage;

namespace ServerlessMyKey.Azure.Certificates;

/// <summary>
/// Status jobs in one blob container (<c>certificate-status-jobs</c>), a folder per job:
/// <c>job.json</c> (updated with <c>If-Match</c>), <c>parts/NNNN.json</c> (the uploaded certificates,
/// written with <c>If-None-Match: *</c> and deleted once checked) and <c>results/NNNN.json</c>
/// (written once). Counts and hashes ride in blob metadata so progress is one listing. The
/// storage account's lifecycle rule (infra) deletes jobs after their retention period.
/// </summary>
public sealed class BlobStatusJobStore(BlobServiceClient blobs) : IStatusJobStore
{
    public const string ContainerName = "certificate-status-jobs";

    private static readonly JsonSerializerOptions RecordJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly CreatedOnFirstUse<BlobContainerClient> _container = StorageResources.Container(blobs, ContainerName);

    public async Task<bool> TryCreateAsync(StatusJobRecord job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            await (await BlobAsync(job.JobId, "job.json", cancellationToken)).UploadAsync(
                BinaryData.FromObjectAsJson(job, RecordJson),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<Versioned<StatusJobRecord>?> FindAsync(string jobId, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = (await (await BlobAsync(jobId, "job.json", cancellationToken)).DownloadContentAsync(cancellationToken)).Value;
            return new Versioned<StatusJobRecord>(content.Content.ToObjectFromJson<StatusJobRecord>(RecordJson)!, content.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> TryReplaceAsync(StatusJobRecord job, string version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            await (await BlobAsync(job.JobId, "job.json", cancellationToken)).UploadAsync(
                BinaryData.FromObjectAsJson(job, RecordJson),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(version) } },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 409)
        {
            return false;
        }
    }

    public async Task<PartWrite> PutPartAsync(string jobId, int part, StatusJobPart content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = await BlobAsync(jobId, PartName(part), cancellationToken);
        try
        {
            await blob.UploadAsync(
                BinaryData.FromBytes(content.Content),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    Metadata = new Dictionary<string, string> { ["count"] = Text(content.Count), ["sha256"] = content.ContentHash },
                },
                cancellationToken);
            return PartWrite.Created;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var stored = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.Metadata;
            return stored.TryGetValue("sha256", out var hash) && hash == content.ContentHash ? PartWrite.Identical : PartWrite.Conflict;
        }
    }

    public async Task<IReadOnlyList<StoredPart>> ListPartsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var parts = new List<StoredPart>();
        await foreach (var (part, metadata) in ListAsync(jobId, "parts/", cancellationToken))
        {
            parts.Add(new StoredPart(part, Number(metadata, "count"), metadata["sha256"]));
        }

        return parts;
    }

    public async Task<StatusJobPart?> ReadPartAsync(string jobId, int part, CancellationToken cancellationToken = default)
    {
        var content = await DownloadAsync(jobId, PartName(part), cancellationToken);
        return content is null ? null : StatusJobPart.Parse(content);
    }

    public async Task DeletePartAsync(string jobId, int part, CancellationToken cancellationToken = default) =>
        await (await BlobAsync(jobId, PartName(part), cancellationToken)).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    public async Task<bool> TryPutResultsAsync(string jobId, int part, IReadOnlyList<CertificateStatusView> results, string partContentHash, CancellationToken cancellationToken = default)
    {
        var summary = StatusJobSummary.Of(results);
        try
        {
            await (await BlobAsync(jobId, ResultsName(part), cancellationToken)).UploadAsync(
                BinaryData.FromBytes(ApiJsonOptions.Serialize(results)),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                    Metadata = new Dictionary<string, string>
                    {
                        ["good"] = Text(summary.Good),
                        ["revoked"] = Text(summary.Revoked),
                        ["expired"] = Text(summary.Expired),
                        ["unknown"] = Text(summary.Unknown),
                        ["partsha256"] = partContentHash,
                    },
                },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<StoredPartResults>> ListResultsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var results = new List<StoredPartResults>();
        await foreach (var (part, m) in ListAsync(jobId, "results/", cancellationToken))
        {
            results.Add(new StoredPartResults(part, new StatusJobSummary(Number(m, "good"), Number(m, "revoked"), Number(m, "expired"), Number(m, "unknown")), m["partsha256"]));
        }

        return results;
    }

    public async Task DeleteJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var container = await _container.GetAsync(cancellationToken);
        await container.GetBlobClient($"{jobId}/job.json").DeleteIfExistsAsync(cancellationToken: cancellationToken);
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = jobId + "/" }, cancellationToken))
        {
            await container.GetBlobClient(item.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
    }

    public Task<byte[]?> ReadResultsAsync(string jobId, int part, CancellationToken cancellationToken = default) =>
        DownloadAsync(jobId, ResultsName(part), cancellationToken);

    private async IAsyncEnumerable<(int Part, IDictionary<string, string> Metadata)> ListAsync(
        string jobId, string folder, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = $"{jobId}/{folder}";
        var options = new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata };
        await foreach (var item in (await _container.GetAsync(cancellationToken)).GetBlobsAsync(options, cancellationToken))
        {
            var name = item.Name[prefix.Length..];
            if (name.EndsWith(".json", StringComparison.Ordinal) && int.TryParse(name[..^5], NumberStyles.None, CultureInfo.InvariantCulture, out var part))
            {
                yield return (part, item.Metadata);
            }
        }
    }

    private async Task<byte[]?> DownloadAsync(string jobId, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await (await BlobAsync(jobId, name, cancellationToken)).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private async Task<BlobClient> BlobAsync(string jobId, string name, CancellationToken cancellationToken) => (await _container.GetAsync(cancellationToken)).GetBlobClient($"{jobId}/{name}");

    private static string PartName(int part) => $"parts/{Text(part, "D4")}.json";

    private static string ResultsName(int part) => $"results/{Text(part, "D4")}.json";

    private static string Text(int value, string? format = null) => value.ToString(format, CultureInfo.InvariantCulture);

    private static int Number(IDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidDataException($"Status-job blob metadata '{key}' is missing or not a number.");
}
