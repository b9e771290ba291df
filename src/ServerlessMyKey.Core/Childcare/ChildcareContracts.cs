using System.Text.Json;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Childcare;

/// <summary><c>POST /api/childcare/applications</c> and <c>…/amendments</c>: the application exactly as signed, and the parent's signature over its JCS form.</summary>
public sealed record SubmitApplicationRequest(JsonElement Application, SignatureProof? Signature);

/// <summary>
/// The signed application (its parsed reading; what is signed is the JCS form of the JSON sent).
/// <c>applicantMyKeyId</c> binds the signature to the account that may submit it: the bearer's MyKey ID
/// (required on the parent's routes; optional from Mynaportal).
/// </summary>
public sealed record ApplicationDocument(string? Procedure, int? FormVersion, string? MunicipalityCode, JsonElement Form, IReadOnlyList<EmployerEntry>? Employers, string? ApplicantMyKeyId = null);

/// <summary>An employer that writes a 就労証明書 for the applicant or the spouse.</summary>
public sealed record EmployerEntry(string? CorporateNumber, string? Name, string? Guardian);

/// <summary>The answer of a submission (202) — kept and replayed byte for byte for the same Idempotency-Key.</summary>
public sealed record ApplicationAccepted(
    string ApplicationId,
    string ReceiptNumber,
    string Status,
    IReadOnlyList<EmploymentRequestCode> EmploymentCertificateRequests,
    string? Deadline = null,
    bool? Late = null,
    string? PaymentStartMonth = null);

/// <summary>A request code (to hand to the employer's HR) and the employer it is for.</summary>
public sealed record EmploymentRequestCode(string RequestCode, string CorporateNumber);

/// <summary><c>GET /api/childcare/employment-certificate-requests/{requestCode}</c>: what HR needs, nothing else of the application.</summary>
public sealed record EmploymentRequestView(
    string RequestCode,
    string CorporateNumber,
    string EmployerName,
    string ApplicantName,
    string MunicipalityCode,
    string Procedure,
    DateTimeOffset DueBy,
    string Status);

/// <summary>The 就労証明書 HR signs (national standard form fields).</summary>
public sealed record EmploymentCertificateFields(string? CorporateNumber, string? EmployeeName, string? EmploymentType, double? WeeklyHours, string? StartedOn, string? Workplace);

/// <summary><c>POST …/employment-certificate-requests/{requestCode}/certificate</c>.</summary>
public sealed record SubmitEmploymentCertificateRequest(JsonElement Certificate, string? DelegationNumber, SignatureProof? Signature);

public sealed record StatusAnswer(string Status);

/// <summary><c>POST …/applications/{id}/status</c> (municipality).</summary>
public sealed record ProcessingStatusRequest(string? Status, string? Note);

/// <summary>A notice to the parent's mailbox.</summary>
public sealed record NoticeContent(string? Subject, string? Body);

/// <summary><c>POST …/applications/{id}/decision</c> (municipality).</summary>
public sealed record DecisionRequest(string? Decision, NoticeContent? Notice);

/// <summary><c>POST …/applications/{id}/withdrawal</c>: the parent's signature over the JCS form of <c>{"action":"withdraw","applicationId":…}</c>.</summary>
public sealed record WithdrawalRequest(SignatureProof? Signature);

/// <summary><c>POST …/applications/{id}/claim</c>: the parent's signature over the JCS form of <c>{"action":"claim","applicationId":…,"myKeyId":…}</c> (the claimant) with the certificate that signed the held application.</summary>
public sealed record ClaimRequest(SignatureProof? Signature);

/// <summary><c>POST /api/webhooks/mynaportal</c>.</summary>
public sealed record MynaportalEvent(string? EventId, string? Type, JsonElement Application, SignatureProof? Signature);

/// <summary>A list of applications (the municipality's, or the parent's own): one page.</summary>
public sealed record ApplicationPage(IReadOnlyList<ApplicationSummary> Applications, string? ContinuationToken);

public sealed record ApplicationSummary(string ApplicationId, string ReceiptNumber, string Procedure, string Status, DateTimeOffset SubmittedAt, DateTimeOffset UpdatedAt, string MunicipalityCode)
{
    public static ApplicationSummary Of(ApplicationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.ApplicationId, record.ReceiptNumber, record.Procedure, record.Status, record.SubmittedAt, record.UpdatedAt, record.MunicipalityCode);
    }
}

/// <summary><c>GET /api/childcare/applications/{id}</c> for the parent or the municipality.</summary>
public sealed record ApplicationView(
    string ApplicationId,
    string ReceiptNumber,
    string Procedure,
    int FormVersion,
    string MunicipalityCode,
    string Status,
    DateTimeOffset SubmittedAt,
    DateTimeOffset UpdatedAt,
    JsonElement Form,
    IReadOnlyList<EmployerEntry> Employers,
    HolderView Applicant,
    IReadOnlyList<EmploymentCertificateView> EmploymentCertificates,
    IReadOnlyList<MissingDocument> MissingDocuments,
    IReadOnlyList<ApplicationHistoryEntry> History,
    string SignatureReceiptId,
    IReadOnlyList<NoticeRecord> Notices,
    string? Deadline = null,
    bool? Late = null,
    string? PaymentStartMonth = null);

/// <summary>A received 就労証明書: the certificate, its signer, the delegation it was signed under and the sealed receipt of the signature check.</summary>
public sealed record EmploymentCertificateView(
    string RequestCode,
    string CorporateNumber,
    JsonElement Certificate,
    string SignerName,
    string DelegationNumber,
    string VerificationReceiptId,
    DateTimeOffset ReceivedAt);

/// <summary>An employment certificate not (yet) received; <c>status</c> is the request's (<c>open</c> while HR may still answer).</summary>
public sealed record MissingDocument(string Kind, string RequestCode, string CorporateNumber, string Status);

/// <summary>One status change: what, when, by whom (<c>applicant</c>, <c>workflow</c>, or the municipality's client id).</summary>
public sealed record ApplicationHistoryEntry(string Status, DateTimeOffset At, string By);

/// <summary>Application states (docs/childcare.md has the diagram).</summary>
public static class ApplicationStatus
{
    /// <summary>From Mynaportal, for a signer whose MyKey ID is not known yet: waits for the parent to claim it.</summary>
    public const string Held = "held";
    public const string AwaitingDocuments = "awaiting_documents";
    public const string Received = "received";
    public const string InReview = "in_review";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Returned = "returned";
    public const string Withdrawn = "withdrawn";

    public static bool IsFinal(string status) => status is Approved or Rejected or Withdrawn;
}

/// <summary>Employment-certificate request states.</summary>
public static class EmploymentRequestStatus
{
    public const string Open = "open";
    public const string Fulfilled = "fulfilled";
    public const string Closed = "closed";
}

/// <summary>The three procedures of the contract.</summary>
public static class ChildcareProcedures
{
    public const string NurseryApplication = "nursery.application";
    public const string ChildAllowanceClaim = "child-allowance.claim";
    public const string PregnancyNotification = "pregnancy.notification";

    public static IReadOnlyList<string> All { get; } = [NurseryApplication, ChildAllowanceClaim, PregnancyNotification];
}
