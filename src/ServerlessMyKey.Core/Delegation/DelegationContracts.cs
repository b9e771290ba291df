using System.Text.Json;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// The 電子委任状 document of API.md "Delegation"; with <c>parentDelegationId</c> a sub-delegation
/// (復代理) signed by the parent's delegate. What is signed is the RFC 8785 canonical form of
/// the JSON the delegator sent; this record is its parsed, validated reading.
/// </summary>
public sealed record DelegationDocument(
    Delegator Delegator,
    Delegate Delegate,
    IReadOnlyList<DelegatedPower> Powers,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidTo,
    bool SubDelegationAllowed,
    string? ParentDelegationId = null);

/// <summary>委任者: the business and, for a corporation, its representative who signs.</summary>
public sealed record Delegator(string CorporateNumber, string CorporationName, string RepresentativeName, string? RepresentativeTitle);

/// <summary>受任者: the person given the powers, by name and MyKey ID.</summary>
public sealed record Delegate(string Name, string MyKeyId);

/// <summary>One power: a procedure from <c>Delegation:Procedures</c> at one agency, or at every agency when <c>agency</c> is <c>*</c>.</summary>
public sealed record DelegatedPower(string Procedure, string Agency)
{
    public const string AnyAgency = "*";

    /// <summary>Whether this power covers <paramref name="procedure"/> at <paramref name="agency"/>.</summary>
    public bool Covers(string procedure, string agency) =>
        Procedure == procedure && (Agency == agency || Agency == AnyAgency);
}

/// <summary>A base64 certificate and signature, as sent.</summary>
public sealed record SignatureProof(string? Certificate, string? Signature);

/// <summary><c>POST /api/delegations</c>: the document exactly as signed, and the delegator's signature.</summary>
public sealed record CreateDelegationRequest(JsonElement Delegation, SignatureProof? Signature);

/// <summary><c>POST /api/delegations/{id}/acceptance</c>, <c>/rejection</c> and <c>/revocation</c>.</summary>
public sealed record DelegationStatementRequest(SignatureProof? Signature);

/// <summary>The act a relying party checks (API.md): procedure and agency.</summary>
public sealed record DelegatedAct(string? Procedure, string? Agency);

/// <summary><c>POST /api/delegations/verifications</c>.</summary>
public sealed record ActVerificationRequest(string? Number, DelegatedAct? Act, string? Data, SignatureProof? Signature);

/// <summary>Answer of an act verification: <c>code</c> is <c>authorized</c> or the refusal's catalogued code.</summary>
public sealed record ActVerificationResult(bool Authorized, string Code, string? DelegationId);

public sealed record DelegationCreated(string DelegationId, string Number, string Status);

public sealed record DelegationStatusResponse(string Status);

/// <summary><c>POST /api/delegations/{id}/transmissions</c>.</summary>
public sealed record TransmissionRequest(string? Recipient);

public sealed record TransmissionStarted(string TransmissionId);

/// <summary>
/// A transmission ready to start, and when its <c>Idempotency-Key</c> was first claimed (null without a key). A
/// replay finds its instance by the id; one that finds none may start it (the first request stopped before it
/// did) unless the transmission was sealed (its seal is on record: <see cref="IDelegationStore.WasTransmissionSealedAsync"/>)
/// or, for one sealed before seals were recorded, the key is older than the task hub's retention: then the instance
/// was purged, and starting it again would send the delegation a second time.
/// </summary>
public sealed record PreparedTransmission(TransmissionInput Input, DateTimeOffset? KeyClaimedAt)
{
    /// <summary>True when the key was claimed <paramref name="retention"/> or longer before <paramref name="now"/>.</summary>
    public bool OutlivedRetention(TimeSpan retention, DateTimeOffset now) => KeyClaimedAt is { } claimedAt && now - claimedAt >= retention;
}

/// <summary><c>GET /api/delegations/transmissions/{transmissionId}</c>.</summary>
public sealed record TransmissionView(
    string TransmissionId,
    string DelegationId,
    string Recipient,
    string Status,
    int Attempts,
    DateTimeOffset? AcknowledgedAt,
    string? Code);

/// <summary>
/// <c>GET /api/delegations/{id}</c>: <c>history</c> is one page (oldest first, <c>limit</c> events), and
/// <c>historyContinuationToken</c> asks for the next; <c>notification</c> is there while the delegator's
/// notification is still pending or dead-lettered.
/// </summary>
public sealed record DelegationView(
    string DelegationId,
    string Number,
    string Status,
    JsonElement Delegation,
    DateTimeOffset CreatedAt,
    IReadOnlyList<DelegationEvent> History,
    string? HistoryContinuationToken = null,
    DelegatorNotificationView? Notification = null);

/// <summary>One page of a delegation's history and the row key to continue after (null at the end).</summary>
public sealed record DelegationHistoryPage(IReadOnlyList<DelegationEvent> Events, string? ContinueAfter);

/// <summary>Lifecycle states (pagopa/pn-mandate names); <c>expired</c> is derived from the validity end.</summary>
public static class DelegationStatus
{
    public const string Pending = "pending";
    public const string Active = "active";
    public const string Revoked = "revoked";
    public const string Rejected = "rejected";
    public const string Expired = "expired";
}

/// <summary>A certificate recorded by issuer (its root's key identifier) and serial number, never the certificate itself.</summary>
public sealed record CertificateReference(string IssuerKeyId, string SerialNumber);

/// <summary>One entry of a delegation's append-only history. <c>Code</c> carries a verification's outcome.</summary>
public sealed record DelegationEvent(DateTimeOffset At, string Kind, string? Code = null, string? Actor = null);

/// <summary>A delegation as stored. <see cref="ETag"/> guards every status change.</summary>
public sealed record DelegationRecord(
    string DelegationId,
    string Number,
    string Status,
    string CanonicalDocument,
    CertificateReference DelegatorCertificate,
    CertificateReference? DelegateCertificate,
    DateTimeOffset CreatedAt,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidTo,
    string DelegateMyKeyId,
    string? ETag = null,
    string? ParentDelegationId = null)
{
    /// <summary>The status as callers see it: an active or pending delegation past its end is <c>expired</c>.</summary>
    public string EffectiveStatus(DateTimeOffset now) =>
        Status is DelegationStatus.Active or DelegationStatus.Pending && now >= ValidTo ? DelegationStatus.Expired : Status;
}

/// <summary>Persistence of delegations, their numbers and their history.</summary>
public interface IDelegationStore
{
    /// <summary>Inserts the number index row, the delegation and its first event; false when the delegation already exists.</summary>
    Task<bool> TryCreateAsync(DelegationRecord record, DelegationEvent created, CancellationToken cancellationToken = default);

    Task<DelegationRecord?> FindAsync(string delegationId, CancellationToken cancellationToken = default);

    Task<string?> FindIdByNumberAsync(string number, CancellationToken cancellationToken = default);

    /// <summary>Replaces the record under its ETag and appends the event in one transaction; false when the ETag is stale.</summary>
    Task<bool> TryUpdateAsync(DelegationRecord updated, DelegationEvent change, CancellationToken cancellationToken = default);

    /// <summary>Appends an event that changes no state (an act verification).</summary>
    Task AppendAsync(string delegationId, DelegationEvent entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records, before its first publish, that a transmission was sealed to be sent, so that once its instance is
    /// purged a retry under its key is known to have been sent (insert or replace: an activity run again is harmless).
    /// </summary>
    Task RecordTransmissionSealedAsync(string delegationId, string transmissionId, CancellationToken cancellationToken = default);

    /// <summary>True when <see cref="RecordTransmissionSealedAsync"/> ran for this transmission.</summary>
    Task<bool> WasTransmissionSealedAsync(string delegationId, string transmissionId, CancellationToken cancellationToken = default);

    /// <summary>At most <paramref name="limit"/> events after <paramref name="after"/> (a page's <c>ContinueAfter</c>; null for the first page), oldest first.</summary>
    Task<DelegationHistoryPage> HistoryAsync(string delegationId, int limit, string? after = null, CancellationToken cancellationToken = default);
}

/// <summary>Settings of <c>Delegation:*</c>, validated at start-up.</summary>
public sealed record DelegationOptions(IReadOnlySet<string> Procedures)
{
    /// <summary><c>Delegation:Recipients:&lt;id&gt;:Topic</c>; the recipient id is also its service client id (its API key acknowledges).</summary>
    public IReadOnlyDictionary<string, string> RecipientTopics { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>Delegation:AckTimeoutSeconds</c>: how long each attempt waits for the acknowledgement.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Where acceptances are announced to delegators; null when not configured.</summary>
    public DelegatorWebhookEndpoint? DelegatorWebhook { get; init; }

    /// <summary><c>Delegation:MaxAttempts</c>.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary><c>Delegation:RetryBackoffSeconds</c>: the wait before the second attempt, doubled before each later one.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMinutes(1);

    public static IReadOnlyList<string> DefaultProcedures { get; } =
        ["procurement.bid", "procurement.contract", "childcare.employment-certificate", "radio.application"];
}
