namespace ServerlessMyKey.Core.Certificates.StatusJobs;

/// <summary>Where a job is: waiting for parts, queued for checking, completed, or rejected.</summary>
public enum StatusJobState
{
    Receiving,
    Queued,
    Completed,
    Rejected,
}

/// <summary>A status job as stored: its owner (the service client), how many parts it has, and its state.</summary>
public sealed record StatusJobRecord(
    string JobId,
    string ClientId,
    int Parts,
    StatusJobState State,
    DateTimeOffset CreatedAt,
    int? Total = null,
    DateTimeOffset? CompletedAt = null);

/// <summary>A stored record with the version (ETag) an update must match.</summary>
public sealed record Versioned<T>(T Value, string Version);

/// <summary>A part as stored: its number, how many certificates it holds and the SHA-256 of its content.</summary>
public sealed record StoredPart(int Part, int Count, string ContentHash);

/// <summary>A part's results as stored: its number, the counts by status and the hash of the part they answer.</summary>
public sealed record StoredPartResults(int Part, StatusJobSummary Summary, string PartContentHash);

/// <summary>What storing a part did.</summary>
public enum PartWrite
{
    /// <summary>The part is new.</summary>
    Created,

    /// <summary>The same content was already stored under this number.</summary>
    Identical,

    /// <summary>Other content is stored under this number.</summary>
    Conflict,
}
