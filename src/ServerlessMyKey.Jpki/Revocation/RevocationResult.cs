using System.Security.Cryptography.X509Certificates;

namespace ServerlessMyKey.Jpki.Revocation;

public enum RevocationState
{
    /// <summary>Fresh revocation data from the issuer does not list the certificate.</summary>
    Good,

    /// <summary>The issuer's revocation data lists the certificate.</summary>
    Revoked,

    /// <summary>No fresh, correctly signed revocation data: the verifier fails closed.</summary>
    Unavailable,

    /// <summary>Revocation is not checked (<c>Jpki:Revocation:Mode=None</c>, Development only).</summary>
    NotChecked,
}

/// <summary>
/// The revocation status of one certificate and where it came from. <see cref="Detail"/> says why
/// data was unavailable; it names sources and times, never certificate contents.
/// </summary>
public sealed record RevocationResult
{
    public const string CrlSource = "crl";
    public const string OcspSource = "ocsp";
    public const string NoSource = "none";

    public required RevocationState State { get; init; }

    /// <summary><c>crl</c>, <c>ocsp</c> or <c>none</c>.</summary>
    public required string Source { get; init; }

    /// <summary>When the status was determined (the injected clock).</summary>
    public required DateTimeOffset CheckedAt { get; init; }

    /// <summary>The RFC 5280 CRLReason, when revoked and the issuer gave one.</summary>
    public X509RevocationReason? Reason { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When the issuer produced the data the answer rests on (CRL thisUpdate, OCSP producedAt).</summary>
    public DateTimeOffset? ProducedAt { get; init; }

    public string? Detail { get; init; }

    /// <summary>
    /// The data still answers for certificates that expired at or after this time (CRL expiredCertsOnCRL, OCSP
    /// archiveCutoff); null when it says nothing, so an expired certificate's "good" may only mean "dropped".
    /// </summary>
    public DateTimeOffset? CoversExpiredSince { get; init; }

    public static RevocationResult Good(string source, DateTimeOffset checkedAt, DateTimeOffset producedAt) =>
        new() { State = RevocationState.Good, Source = source, CheckedAt = checkedAt, ProducedAt = producedAt };

    public static RevocationResult Revoked(string source, DateTimeOffset checkedAt, DateTimeOffset producedAt, DateTimeOffset revokedAt, X509RevocationReason? reason) =>
        new() { State = RevocationState.Revoked, Source = source, CheckedAt = checkedAt, ProducedAt = producedAt, RevokedAt = revokedAt, Reason = reason };

    public static RevocationResult Unavailable(string source, DateTimeOffset checkedAt, string detail) =>
        new() { State = RevocationState.Unavailable, Source = source, CheckedAt = checkedAt, Detail = detail };

    public static RevocationResult NotChecked(DateTimeOffset checkedAt) =>
        new() { State = RevocationState.NotChecked, Source = NoSource, CheckedAt = checkedAt, Detail = "Revocation checking is off (Jpki:Revocation:Mode=None)." };
}
