using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Certificates.StatusJobs;

/// <summary>
/// Certificate status jobs for up to <see cref="MaxCertificates"/> certificates (API.md "Certificate
/// status"). A job is uploaded in parts of at most 1,000 certificates (each request stays under the
/// 1 MiB body limit), starts when its last part arrives, and is checked part by part from a
/// Storage queue. Each part is a chunk: its results are written once, so a redelivered chunk
/// changes nothing, and its certificates are deleted once checked. Logs carry ids and counts only.
/// </summary>
public sealed class StatusJobService(
    IStatusJobStore store,
    IStatusJobQueue queue,
    CertificateStatusService status,
    IIdempotencyClaims claims,
    TimeProvider time,
    ILogger<StatusJobService> logger)
{
    public const int MaxCertificates = 100_000;
    public const int MaxParts = 1_000;
    public const int MaxPartCertificates = CertificateStatusService.MaxCertificates;
    private const int MaxCertificateBytes = 16 * 1024;
    private const string CreateOperation = "certificates.status-jobs.create";

    /// <summary>Creates a job: a one-part job that starts at once, or an empty job waiting for <c>parts</c> uploads.</summary>
    public async Task<StatusJobAccepted> CreateAsync(StatusJobRequest request, string? idempotencyKey, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        var (parts, firstPart) = (request.Certificates, request.Parts) switch
        {
            (not null, null) => (1, DecodePart(request.Certificates)),
            (null, { } count and >= 1 and <= MaxParts) => (count, null),
            (null, { }) => throw new ServiceException(ErrorCodes.InvalidRequest, $"'parts' must be 1 to {MaxParts}."),
            _ => throw new ServiceException(ErrorCodes.InvalidRequest, "Send either 'certificates' (a one-part job) or 'parts' (the number of parts you will upload)."),
        };

        var claim = await claims.ClaimIfKeyedAsync(CreateOperation, caller.ClientId, idempotencyKey, request, cancellationToken);
        // A keyed request names its job, so a retry after a lost answer finds the same job.
        var jobId = claim is null ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) : claim.KeyHash[..32];
        var created = await store.TryCreateAsync(new StatusJobRecord(jobId, caller.ClientId, parts, StatusJobState.Receiving, time.GetUtcNow()), cancellationToken);
        if (created)
        {
            logger.LogInformation("Status job {JobId} created for client {ClientId} with {Parts} parts", jobId, caller.ClientId, parts);
        }

        if (firstPart is null)
        {
            return new StatusJobAccepted(jobId, "receiving", parts, 0, null);
        }

        // The answer depends on the request only, so a retry with the same key gets the first answer again
        // (the job's progress is GET's business).
        var accepted = new StatusJobAccepted(jobId, "queued", 1, 1, firstPart.Count);
        if (!created && await store.FindAsync(jobId, cancellationToken) is { Value.State: not StatusJobState.Receiving })
        {
            // A retry of a job that already started: its certificates were (or will be) checked and deleted,
            // so they are not written again — nothing would delete them a second time.
            return accepted;
        }

        await store.PutPartAsync(jobId, 1, firstPart, cancellationToken);
        await StartIfCompleteAsync(jobId, cancellationToken);
        return accepted;
    }

    /// <summary>Stores one part (the same part again is accepted as a retry); the upload that completes the job queues it.</summary>
    public async Task<StatusJobAccepted> PutPartAsync(string jobId, int part, StatusJobPartRequest request, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = await FindOwnAsync(jobId, caller, cancellationToken);
        if (part < 1 || part > job.Value.Parts)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"This job has parts 1 to {job.Value.Parts}.");
        }

        var content = DecodePart(request.Certificates);
        if (job.Value.State == StatusJobState.Receiving)
        {
            if (await store.PutPartAsync(jobId, part, content, cancellationToken) == PartWrite.Conflict)
            {
                throw new ServiceException(ErrorCodes.StatusJobPartConflict, $"Part {part} was already uploaded with other certificates.");
            }

            return await StartIfCompleteAsync(jobId, cancellationToken);
        }

        // The job has all its parts: only a repeat of an upload it took is answered (a retry after a lost answer).
        if (!await WasUploadedAsync(jobId, part, content.ContentHash, cancellationToken))
        {
            throw new ServiceException(ErrorCodes.StatusJobClosed);
        }

        return await AcceptedAsync(job.Value, cancellationToken);
    }

    /// <summary>The job's progress; <see cref="StatusJobProgress.ResultParts"/> lists the parts whose results to return when it is completed.</summary>
    public async Task<StatusJobProgress> GetAsync(string jobId, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        var job = (await FindOwnAsync(jobId, caller, cancellationToken)).Value;
        var results = await store.ListResultsAsync(jobId, cancellationToken);
        var summary = results.Aggregate(StatusJobSummary.Empty, (sum, r) => sum.Add(r.Summary));
        if (job.State == StatusJobState.Completed && results.Count < job.Parts)
        {
            // The storage lifecycle rule has begun deleting the job (README "Certificate status jobs").
            throw new ServiceException(ErrorCodes.StatusJobNotFound);
        }

        var received = job.State == StatusJobState.Receiving ? (await store.ListPartsAsync(jobId, cancellationToken)).Count : job.Parts;
        var view = new StatusJobView(job.JobId, StateName(job, results.Count), job.Parts, received, job.Total, summary.Count, summary, job.CreatedAt, job.CompletedAt);
        return new StatusJobProgress(view, job.State == StatusJobState.Completed ? [.. results.Select(r => r.Part).Order()] : []);
    }

    /// <summary>Deletes a job with its uploaded certificates and results (the client's choice; otherwise the retention rule does it).</summary>
    public async Task DeleteAsync(string jobId, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        await FindOwnAsync(jobId, caller, cancellationToken);
        await store.DeleteJobAsync(jobId, cancellationToken);
        logger.LogInformation("Status job {JobId} deleted by client {ClientId}", jobId, caller.ClientId);
    }

    /// <summary>
    /// Checks one chunk (a queue message). Idempotent: a chunk whose results exist is not checked
    /// again. When revocation data is unavailable and this is not the last delivery, it throws so
    /// that the queue retries later instead of recording <c>unknown</c> for a passing outage.
    /// </summary>
    public async Task ProcessChunkAsync(StatusJobChunk chunk, bool lastDelivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var job = await store.FindAsync(chunk.JobId, cancellationToken);
        if (job is { Value.State: StatusJobState.Receiving })
        {
            // The upload that completed the job queues its chunks before it marks the job queued: a chunk can arrive first.
            // Read again whether this chunk or the upload (or another chunk) marked it.
            await TryMarkQueuedAsync(job, await store.ListPartsAsync(chunk.JobId, cancellationToken), cancellationToken);
            job = await store.FindAsync(chunk.JobId, cancellationToken);

            if (job is { Value.State: StatusJobState.Receiving })
            {
                throw new InvalidOperationException($"Status job {chunk.JobId} is still receiving parts; the chunk will be retried.");
            }
        }

        if (job is null || job.Value.State != StatusJobState.Queued || chunk.Part < 1 || chunk.Part > job.Value.Parts)
        {
            logger.LogInformation("Status job {JobId} part {Part} skipped: the job is {State}", chunk.JobId, chunk.Part, job?.Value.State.ToString() ?? "gone");
            return;
        }

        var part = await store.ReadPartAsync(chunk.JobId, chunk.Part, cancellationToken);
        if (part is not null)
        {
            var results = await status.CheckManyAsync(part.Certificates, cancellationToken);
            if (!lastDelivery && results.Any(r => r.Reason == "revocation_unavailable"))
            {
                throw new RevocationTemporarilyUnavailableException(chunk);
            }

            var written = await store.TryPutResultsAsync(chunk.JobId, chunk.Part, results, part.ContentHash, cancellationToken);
            await store.DeletePartAsync(chunk.JobId, chunk.Part, cancellationToken);
            logger.LogInformation("Status job {JobId} part {Part}: {Count} certificates checked{Repeat}", chunk.JobId, chunk.Part, results.Count, written ? "" : " (results already stored)");
        }

        await CompleteIfDoneAsync(chunk.JobId, cancellationToken);
    }

    private async Task<StatusJobAccepted> StartIfCompleteAsync(string jobId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await store.FindAsync(jobId, cancellationToken) ?? throw new ServiceException(ErrorCodes.StatusJobNotFound);
            if (job.Value.State != StatusJobState.Receiving)
            {
                return await AcceptedAsync(job.Value, cancellationToken);
            }

            var parts = await store.ListPartsAsync(jobId, cancellationToken);
            if (parts.Count < job.Value.Parts)
            {
                return new StatusJobAccepted(jobId, "receiving", job.Value.Parts, parts.Count, null);
            }

            var total = parts.Sum(p => p.Count);
            if (total > MaxCertificates)
            {
                await store.TryReplaceAsync(job.Value with { State = StatusJobState.Rejected, Total = total }, job.Version, cancellationToken);
                throw new ServiceException(ErrorCodes.StatusJobTooLarge, $"The job's parts hold {total} certificates; at most {MaxCertificates} are allowed.");
            }

            // Queue first: a failure here leaves the job receiving, and the next upload (or a retry) queues it again;
            // a chunk queued twice is checked once, and a chunk that arrives before the job is marked queued marks it.
            // Whether this upload or such a chunk marks it, the next round reads the job queued.
            await queue.EnqueueAsync([.. parts.Select(p => new StatusJobChunk(jobId, p.Part))], cancellationToken);
            await TryMarkQueuedAsync(job, parts, cancellationToken);
        }
    }

    /// <summary>
    /// Marks a receiving job queued when <paramref name="parts"/> (listed after <paramref name="job"/> was read)
    /// are all its parts and within the limit; false when they are not, or the job changed meanwhile.
    /// </summary>
    private async Task<bool> TryMarkQueuedAsync(Versioned<StatusJobRecord> job, IReadOnlyList<StoredPart> parts, CancellationToken cancellationToken)
    {
        var total = parts.Sum(p => p.Count);
        if (parts.Count < job.Value.Parts || total > MaxCertificates)
        {
            return false;
        }

        if (!await store.TryReplaceAsync(job.Value with { State = StatusJobState.Queued, Total = total }, job.Version, cancellationToken))
        {
            return false;
        }

        logger.LogInformation("Status job {JobId} queued: {Total} certificates in {Parts} parts", job.Value.JobId, total, parts.Count);
        return true;
    }

    private async Task CompleteIfDoneAsync(string jobId, CancellationToken cancellationToken)
    {
        while (await store.FindAsync(jobId, cancellationToken) is { Value.State: StatusJobState.Queued } job)
        {
            var results = await store.ListResultsAsync(jobId, cancellationToken);
            if (results.Count < job.Value.Parts)
            {
                return;
            }

            if (await store.TryReplaceAsync(job.Value with { State = StatusJobState.Completed, CompletedAt = time.GetUtcNow() }, job.Version, cancellationToken))
            {
                logger.LogInformation("Status job {JobId} completed", jobId);
                return;
            }
        }
    }

    private async Task<StatusJobAccepted> AcceptedAsync(StatusJobRecord job, CancellationToken cancellationToken)
    {
        if (job.State == StatusJobState.Rejected)
        {
            throw new ServiceException(ErrorCodes.StatusJobTooLarge, $"The job's parts hold {job.Total} certificates; at most {MaxCertificates} are allowed.");
        }

        var results = job.State == StatusJobState.Queued ? (await store.ListResultsAsync(job.JobId, cancellationToken)).Count : 0;
        return new StatusJobAccepted(job.JobId, StateName(job, results), job.Parts, job.Parts, job.Total);
    }

    /// <summary>The state callers see: a queued job with some results is <c>running</c>.</summary>
    private static string StateName(StatusJobRecord job, int partsWithResults) =>
        job.State == StatusJobState.Queued && partsWithResults > 0 ? "running" : job.State.ToString().ToLowerInvariant();

    private async Task<bool> WasUploadedAsync(string jobId, int part, string contentHash, CancellationToken cancellationToken)
    {
        var stored = (await store.ListPartsAsync(jobId, cancellationToken)).FirstOrDefault(p => p.Part == part)?.ContentHash
            ?? (await store.ListResultsAsync(jobId, cancellationToken)).FirstOrDefault(r => r.Part == part)?.PartContentHash;
        return string.Equals(stored, contentHash, StringComparison.Ordinal);
    }

    private async Task<Versioned<StatusJobRecord>> FindOwnAsync(string jobId, ServiceClient caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        // Ids are 32 lowercase hex characters; anything else cannot name a job.
        if (jobId is not { Length: 32 } || !jobId.All(char.IsAsciiHexDigitLower))
        {
            throw new ServiceException(ErrorCodes.StatusJobNotFound);
        }

        var job = await store.FindAsync(jobId, cancellationToken);
        return job is not null && string.Equals(job.Value.ClientId, caller.ClientId, StringComparison.Ordinal)
            ? job
            : throw new ServiceException(ErrorCodes.StatusJobNotFound);
    }

    private static StatusJobPart DecodePart(IReadOnlyList<string?>? certificates)
    {
        if (certificates is not { Count: > 0 and <= MaxPartCertificates })
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'certificates' must list 1 to {MaxPartCertificates} certificates per part.");
        }

        return StatusJobPart.From([.. certificates.Select((value, index) => Base64Input.Decode(value, $"certificates[{index}]", MaxCertificateBytes))]);
    }
}

/// <summary>A job's progress, and the parts whose results a completed job returns (in order).</summary>
public sealed record StatusJobProgress(StatusJobView View, IReadOnlyList<int> ResultParts);

/// <summary>Thrown to have a chunk retried later when revocation data was unavailable for some of its certificates.</summary>
public sealed class RevocationTemporarilyUnavailableException(StatusJobChunk chunk)
    : Exception($"Revocation data was unavailable for part {chunk?.Part} of status job {chunk?.JobId}; the chunk will be retried.");
