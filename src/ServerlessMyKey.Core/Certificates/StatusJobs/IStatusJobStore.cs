namespace ServerlessMyKey.Core.Certificates.StatusJobs;

/// <summary>
/// Storage of status jobs: the job record (updated only with its version), the uploaded parts
/// (certificates, deleted once checked) and each part's results (written once).
/// </summary>
public interface IStatusJobStore
{
    /// <summary>Creates the job; false when a job with this id exists.</summary>
    Task<bool> TryCreateAsync(StatusJobRecord job, CancellationToken cancellationToken = default);

    Task<Versioned<StatusJobRecord>?> FindAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the job when it still has <paramref name="version"/>; false when it changed meanwhile.</summary>
    Task<bool> TryReplaceAsync(StatusJobRecord job, string version, CancellationToken cancellationToken = default);

    /// <summary>Stores a part once; the same content again is <see cref="PartWrite.Identical"/>, other content <see cref="PartWrite.Conflict"/>.</summary>
    Task<PartWrite> PutPartAsync(string jobId, int part, StatusJobPart content, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredPart>> ListPartsAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>A part's certificates; null once the part was checked and deleted.</summary>
    Task<StatusJobPart?> ReadPartAsync(string jobId, int part, CancellationToken cancellationToken = default);

    Task DeletePartAsync(string jobId, int part, CancellationToken cancellationToken = default);

    /// <summary>Writes a part's results once; false when they were already written (a redelivered chunk).</summary>
    Task<bool> TryPutResultsAsync(string jobId, int part, IReadOnlyList<CertificateStatusView> results, string partContentHash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredPartResults>> ListResultsAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the job record first (chunks still queued then find no job), then its parts and results.</summary>
    Task DeleteJobAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>A part's results as the JSON array they were written as; null when there are none.</summary>
    Task<byte[]?> ReadResultsAsync(string jobId, int part, CancellationToken cancellationToken = default);
}

/// <summary>The queue of chunks to check (a Storage queue; its function is idempotent per chunk).</summary>
public interface IStatusJobQueue
{
    Task EnqueueAsync(IReadOnlyList<StatusJobChunk> chunks, CancellationToken cancellationToken = default);
}
