using System.Security.Cryptography.X509Certificates;

namespace ServerlessMyKey.Jpki.Verification;

/// <summary>現況 of a certificate for a survival / current-status check (生存確認 / 現況確認).</summary>
public enum JpkiCertificateState
{
    /// <summary>Trusted, within validity, and fresh revocation data does not list it.</summary>
    Good,

    /// <summary>The issuer's revocation data lists it (with the reason, when given).</summary>
    Revoked,

    /// <summary>Trusted and not listed, but outside its validity period.</summary>
    Expired,

    /// <summary>Not determinable: not a trusted JPKI certificate, or no revocation data (see the reason).</summary>
    Unknown,
}

/// <summary>
/// The status of one certificate. <see cref="Reason"/> is the RFC 5280 CRLReason (lower camel case) when
/// revoked, or the JPKI code saying why the status is unknown. No personal data.
/// </summary>
public sealed record JpkiCertificateStatus(
    JpkiCertificateState State,
    JpkiCertificateKind? Kind,
    string? SerialNumber,
    DateTimeOffset CheckedAt,
    string? Reason = null,
    DateTimeOffset? RevokedAt = null,
    string? Source = null)
{
    /// <summary><c>good</c>, <c>revoked</c>, <c>expired</c> or <c>unknown</c>.</summary>
    public string StateName => State.ToString().ToLowerInvariant();

    internal static string ReasonName(X509RevocationReason? reason) => reason switch
    {
        null => "unspecified",
        { } value => char.ToLowerInvariant(value.ToString()[0]) + value.ToString()[1..],
    };
}
