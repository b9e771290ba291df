namespace ServerlessMyKey.Core.Certificates.Watches;

/// <summary>Whether the re-check still looks at a watch.</summary>
public enum WatchState
{
    /// <summary>Checked on every run.</summary>
    Active,

    /// <summary>The certificate was found revoked; no more checks (the webhook may still be pending).</summary>
    Revoked,

    /// <summary>The certificate is past its notAfter; no more checks.</summary>
    Expired,
}

/// <summary>
/// A certificate a service client watches (生存確認 over time). The DER is kept, because the
/// re-check needs it; only the issuer, serial number, validity and status are ever shown, sent or
/// logged — never the subject or the signing certificate's 基本4情報.
/// </summary>
public sealed record CertificateWatch(
    string ClientId,
    string WatchId,
    byte[] Certificate,
    string Fingerprint,
    string SerialNumber,
    string Issuer,
    string? Kind,
    DateTimeOffset NotAfter,
    DateTimeOffset CreatedAt,
    WatchState State,
    CertificateStatusView Status,
    bool NotificationPending = false,
    DateTimeOffset? NotifiedAt = null,
    string? Version = null)
{
    public const string RevokedEvent = "certificate.revoked";

    /// <summary>Whether a run must look at the watch: still active, or its revocation not yet told.</summary>
    public bool IsDue => State == WatchState.Active || NotificationPending;

    /// <summary>The id receivers de-duplicate on: one per watch and event.</summary>
    public string RevokedEventId => WatchId + ":" + RevokedEvent;

    public WatchView ToView() => new(
        WatchId, SerialNumber, Issuer, Kind, NotAfter, CreatedAt, State.ToString().ToLowerInvariant(),
        Status.Status, Status.CheckedAt, Status.Reason, Status.RevokedAt, NotifiedAt);
}

/// <summary><c>POST /api/certificates/watches</c>: up to <see cref="CertificateWatchService.MaxCertificates"/> base64 DER certificates.</summary>
public sealed record WatchRegistrationRequest(IReadOnlyList<string?>? Certificates);

/// <summary>The watches in request order; a certificate the client already watches keeps its watch.</summary>
public sealed record WatchRegistrationResponse(IReadOnlyList<WatchView> Watches);

/// <summary>One page of a client's watches, oldest id first.</summary>
public sealed record WatchListResponse(IReadOnlyList<WatchView> Watches, string? ContinuationToken);

/// <summary>
/// A watch as the API shows it: <c>state</c> is <c>active|revoked|expired</c> (whether it is still
/// checked), <c>status</c> the certificate's status at <c>checkedAt</c> (<c>good|revoked|expired|unknown</c>).
/// </summary>
public sealed record WatchView(
    string WatchId,
    string SerialNumber,
    string Issuer,
    string? Kind,
    DateTimeOffset NotAfter,
    DateTimeOffset CreatedAt,
    string State,
    string Status,
    DateTimeOffset CheckedAt,
    string? Reason,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? NotifiedAt);

/// <summary>Roles of service clients for certificate watches (the same as for certificate status).</summary>
public static class CertificateWatchRoles
{
    public const string Watch = CertificateRoles.Status;
}
