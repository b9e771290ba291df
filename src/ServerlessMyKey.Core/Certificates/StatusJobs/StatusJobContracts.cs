namespace ServerlessMyKey.Core.Certificates.StatusJobs;

/// <summary>
/// <c>POST /api/certificates/status-jobs</c>: either <c>certificates</c> (a one-part job, as many as fit
/// in the 1 MiB body) or <c>parts</c> (the number of parts the caller will upload with
/// <c>PUT …/{jobId}/parts/{part}</c>; the job starts when the last part arrives).
/// </summary>
public sealed record StatusJobRequest(IReadOnlyList<string?>? Certificates, int? Parts);

/// <summary><c>PUT /api/certificates/status-jobs/{jobId}/parts/{part}</c>: base64 DER certificates, 1 to 1,000.</summary>
public sealed record StatusJobPartRequest(IReadOnlyList<string?>? Certificates);

/// <summary>The answer to creating a job or uploading a part.</summary>
public sealed record StatusJobAccepted(string JobId, string Status, int Parts, int PartsReceived, int? Total);

/// <summary>Counts of the results so far.</summary>
public sealed record StatusJobSummary(int Good, int Revoked, int Expired, int Unknown)
{
    public static StatusJobSummary Empty { get; } = new(0, 0, 0, 0);

    [System.Text.Json.Serialization.JsonIgnore]
    public int Count => Good + Revoked + Expired + Unknown;

    public static StatusJobSummary Of(IEnumerable<CertificateStatusView> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        int good = 0, revoked = 0, expired = 0, unknown = 0;
        foreach (var result in results)
        {
            switch (result.Status)
            {
                case "good": good++; break;
                case "revoked": revoked++; break;
                case "expired": expired++; break;
                default: unknown++; break;
            }
        }

        return new(good, revoked, expired, unknown);
    }

    public StatusJobSummary Add(StatusJobSummary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Good + other.Good, Revoked + other.Revoked, Expired + other.Expired, Unknown + other.Unknown);
    }
}

/// <summary>
/// <c>GET /api/certificates/status-jobs/{jobId}</c> without the results: <c>status</c> is
/// <c>receiving</c> (waiting for parts), <c>queued</c>, <c>running</c>, <c>completed</c> or
/// <c>rejected</c> (over 100,000 certificates); <c>processed</c> counts certificates with a result.
/// </summary>
public sealed record StatusJobView(
    string JobId,
    string Status,
    int Parts,
    int PartsReceived,
    int? Total,
    int Processed,
    StatusJobSummary Summary,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

/// <summary>The queue message that asks for one part of a job to be checked.</summary>
public sealed record StatusJobChunk(string JobId, int Part);
