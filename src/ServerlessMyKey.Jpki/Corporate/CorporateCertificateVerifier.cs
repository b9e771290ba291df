using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Jpki.Corporate;

/// <summary>
/// Verifies certificates of a corporate CA (商業登記電子証明書 of the 電子認証登記所) against their own,
/// separately configured anchors (<c>Delegation:DelegatorTrustAnchors</c>) and revocation data
/// (<c>Delegation:DelegatorCrlFiles</c>). Same habits as <see cref="JpkiCertificateVerifier"/>: no I/O of
/// its own, the first failed check answers, and no revocation data is a refusal.
/// </summary>
/// <remarks>
/// Order: parse → profile → issued directly by a configured anchor (key identifier and signature) →
/// issued within the anchor's validity → validity now → revocation → the 会社法人等番号 in the subject. The anchors are a set of their own:
/// a JPKI root never vouches for a corporate certificate, nor the other way round.
/// </remarks>
public sealed class CorporateCertificateVerifier
{
    private readonly PinnedCaVerifier _pinned;

    /// <param name="anchors">The corporate CAs only (see <see cref="JpkiTrustAnchors.LoadFiles"/>); empty disables the corporate path.</param>
    public CorporateCertificateVerifier(JpkiTrustAnchors anchors, IRevocationChecker revocation, TimeProvider timeProvider, TimeSpan clockSkew)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(revocation);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _pinned = new PinnedCaVerifier(
            anchors, revocation, timeProvider, clockSkew,
            "corporate CA (Delegation:DelegatorTrustAnchors)", "No revocation data for the corporate CA (Delegation:DelegatorCrlFiles).");
    }

    /// <summary>Whether any corporate CA is configured.</summary>
    public bool IsEnabled => _pinned.Anchors.Count > 0;

    /// <summary>
    /// Whether the certificate names a configured corporate CA as its issuer (authority key identifier):
    /// this decides which verifier a delegator's certificate goes to. Says nothing about its validity.
    /// </summary>
    public bool NamesCorporateIssuer(JpkiCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return _pinned.Anchors.Any(anchor => anchor.MayHaveIssued(certificate.AuthorityKeyIdentifier.Span));
    }

    /// <summary>Verifies a DER certificate of a corporate CA for signing; on success its subject carries a 会社法人等番号.</summary>
    public async ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyAsync(ReadOnlyMemory<byte> certificateDer, CancellationToken cancellationToken = default)
    {
        // RFC 5280 §4.1: one DER-encoded X.509 certificate.
        if (!JpkiCertificate.TryParse(certificateDer.Span, out var certificate))
        {
            return JpkiResult<JpkiVerifiedCertificate>.Fail(JpkiErrorCode.CertificateMalformed, "Not a DER-encoded X.509 certificate.");
        }

        if (CheckProfile(certificate) is { } violation)
        {
            return JpkiResult<JpkiVerifiedCertificate>.Fail(JpkiErrorCode.CertificateProfileInvalid, violation);
        }

        var verified = await _pinned.VerifyIssuedAsync(certificate, cancellationToken).ConfigureAwait(false);

        // Where we read the corporation: the subject is read only once the CA's signature showed it is the CA's
        // (an unsigned certificate's subject is attacker-chosen bytes; see CorporateCertificate).
        return verified.Succeeded && CorporateCertificate.CompanyNumber(certificate) is null
            ? JpkiResult<JpkiVerifiedCertificate>.Fail(JpkiErrorCode.CertificateProfileInvalid, "The subject carries no 12-digit 会社法人等番号 (serialNumber attribute).")
            : verified;
    }

    // RFC 5280 §4.2 for an end entity that signs; null when the certificate conforms.
    private static string? CheckProfile(JpkiCertificate certificate) => PinnedCaVerifier.SigningProfileViolation(certificate);
}
