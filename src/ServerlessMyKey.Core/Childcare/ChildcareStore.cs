using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>
/// An application as indexed in Table Storage (partition = municipality): ids, states and times only;
/// the form and the applicant's 基本4情報 are in the encrypted document <see cref="ApplicationDocuments.ApplicationName"/>.
/// </summary>
public sealed record ApplicationRecord(
    string ApplicationId,
    string MunicipalityCode,
    string ReceiptNumber,
    string Procedure,
    int FormVersion,
    string Status,
    string ApplicantMyKeyId,
    DateTimeOffset SubmittedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<EmploymentRequestSlot> Requests,
    IReadOnlyList<ApplicationHistoryEntry> History,
    string FirstResponse,
    string SignerKey,
    ChildAllowanceTiming? Timing = null,
    IReadOnlyList<NoticeRecord>? Notices = null,
    int DocumentVersion = 1,
    int DecisionSeq = 0,
    int AmendmentSeq = 0,
    int NoteSeq = 0,
    bool HandedOver = false,
    string? ETag = null,
    string? DocumentName = null)
{
    /// <summary>The blob of the current signed application: the amendment's own name, or (version 1, older records) the version's.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string CurrentDocument => DocumentName ?? ApplicationDocuments.ApplicationName(ApplicationId, DocumentVersion);

    /// <summary>The record moved to <paramref name="status"/> at <paramref name="at"/> by <paramref name="by"/>, with the history entry.</summary>
    public ApplicationRecord MovedTo(string status, DateTimeOffset at, string by) =>
        this with { Status = status, UpdatedAt = at, History = [.. History, new ApplicationHistoryEntry(status, at, by)] };
}

/// <summary>A decision's notice as delivered to the parent's mailbox.</summary>
public sealed record NoticeRecord(int DecisionSeq, string Decision, string MessageId);

/// <summary>An employer request of an application (corporate names are not personal data).</summary>
public sealed record EmploymentRequestSlot(string RequestCode, string CorporateNumber, string EmployerName);

/// <summary>An employment-certificate request as stored (partition = request code).</summary>
public sealed record EmploymentRequestRecord(
    string RequestCode,
    string ApplicationId,
    string MunicipalityCode,
    string Procedure,
    string CorporateNumber,
    string EmployerName,
    string Status,
    DateTimeOffset DueBy,
    string? ReceiptId = null,
    string? DelegationNumber = null,
    DateTimeOffset? FulfilledAt = null,
    string? ETag = null);

/// <summary>Persistence of applications and their employment-certificate requests.</summary>
public interface IApplicationStore
{
    /// <summary>Inserts the application; false when one with this id exists.</summary>
    Task<bool> TryCreateAsync(ApplicationRecord record, CancellationToken cancellationToken = default);

    Task<ApplicationRecord?> FindAsync(string applicationId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the record under its ETag; false when it changed meanwhile.</summary>
    Task<bool> TryUpdateAsync(ApplicationRecord record, CancellationToken cancellationToken = default);

    /// <summary>One page of a municipality's applications, filtered; <paramref name="continuationToken"/> as returned before.</summary>
    Task<(IReadOnlyList<ApplicationRecord> Records, string? ContinuationToken)> ListAsync(
        string municipalityCode, string? status, string? procedure, DateTimeOffset? since, int limit, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>Inserts the request unless it exists (index rows are written after their application).</summary>
    Task EnsureRequestAsync(EmploymentRequestRecord request, CancellationToken cancellationToken = default);

    Task<EmploymentRequestRecord?> FindRequestAsync(string requestCode, CancellationToken cancellationToken = default);

    /// <summary>Replaces the request under its ETag; false when it changed meanwhile.</summary>
    Task<bool> TryUpdateRequestAsync(EmploymentRequestRecord request, CancellationToken cancellationToken = default);

    /// <summary>Remembers that a signing certificate (by its hash) belongs to a MyKey ID (for Mynaportal submissions).</summary>
    Task LinkSignerAsync(string signerKey, string myKeyId, CancellationToken cancellationToken = default);

    Task<string?> FindSignerAsync(string signerKey, CancellationToken cancellationToken = default);

    /// <summary>Indexes the application under its applicant's MyKey ID (newest first); idempotent. Written after the application row.</summary>
    Task IndexApplicantAsync(ApplicationRecord record, CancellationToken cancellationToken = default);

    /// <summary>One page of the ids of <paramref name="myKeyId"/>'s applications, newest first; <paramref name="continuationToken"/> as returned before.</summary>
    Task<(IReadOnlyList<string> ApplicationIds, string? ContinuationToken)> ListApplicantsAsync(
        string myKeyId, int limit, string? continuationToken, CancellationToken cancellationToken = default);
}

/// <summary>The encrypted documents of an application: the signed application (per version), certificates, notices, notes.</summary>
public sealed class ApplicationDocuments(Documents.EncryptedDocuments documents)
{
    public static string ApplicationName(string applicationId, int version) => $"{applicationId}/application-{version}.json";

    /// <summary>One amendment attempt's blob: concurrent attempts never share a name, so the loser cannot overwrite the winner's document.</summary>
    public static string AmendmentName(string applicationId, int version, string attemptId) => $"{applicationId}/application-{version}-{attemptId}.json";

    public static string CertificateName(string applicationId, string requestCode, string receiptId) => $"{applicationId}/certificates/{requestCode}-{receiptId}.json";

    public static string NoticeName(string applicationId, int decisionSeq) => $"{applicationId}/notices/{decisionSeq}.json";

    public static string NoteName(string applicationId, int noteSeq) => $"{applicationId}/notes/{noteSeq}.json";

    public Task PutAsync<T>(string name, T value, CancellationToken cancellationToken = default) => documents.PutAsync(name, value, cancellationToken);

    public Task<T?> GetAsync<T>(string name, CancellationToken cancellationToken = default)
        where T : class => documents.GetAsync<T>(name, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) => documents.DeleteAsync(name, cancellationToken);
}

/// <summary>The signed application as kept: the document as signed, the signer's 基本4情報, the receipt of the signature check.</summary>
public sealed record StoredApplication(System.Text.Json.JsonElement Application, HolderView Applicant, string SignatureReceiptId);

/// <summary>A received employment certificate as kept.</summary>
public sealed record StoredEmploymentCertificate(System.Text.Json.JsonElement Certificate, string SignerName, string DelegationNumber, string ReceiptId, DateTimeOffset ReceivedAt);

/// <summary>A decision's notice as kept until the workflow delivers it; <c>SenderId</c> is the municipality client that decided.</summary>
public sealed record StoredNotice(string Decision, string Subject, string Body, string SenderId);

/// <summary>Settings of <c>Childcare:*</c>, validated at start-up.</summary>
public sealed record ChildcareOptions(
    IReadOnlySet<string> Procedures,
    IReadOnlyDictionary<string, IReadOnlySet<string>> Municipalities,
    TimeSpan EmployerResponseWait)
{
    /// <summary>Whether <paramref name="clientId"/> is one of <paramref name="municipalityCode"/>'s clients.</summary>
    public bool IsMunicipalityClient(string municipalityCode, string clientId) =>
        Municipalities.TryGetValue(municipalityCode, out var clients) && clients.Contains(clientId);
}
