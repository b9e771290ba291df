using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Asn1;
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
/// Order: parse → profile → issued directly by a configured anchor (key identifier and signature) → a 会社法人等番号 in the subject (read only once the signature is checked) →
/// issued within the anchor's validity → validity now → revocation. The anchors are a set of their own:
/// a JPKI root never vouches for a corporate certificate, nor the other way round.
/// </remarks>
public sealed class CorporateCertificateVerifier
{
    private const int MinimumKeySizeBits = 2048;

    private readonly JpkiTrustAnchors _anchors;
    private readonly IRevocationChecker _revocation;
    private readonly TimeProvider _time;
    private readonly TimeSpan _clockSkew;

    /// <param name="anchors">The corporate CAs only (see <see cref="JpkiTrustAnchors.LoadFiles"/>); empty disables the corporate path.</param>
    public CorporateCertificateVerifier(JpkiTrustAnchors anchors, IRevocationChecker revocation, TimeProvider timeProvider, TimeSpan clockSkew)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(revocation);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _anchors = anchors;
        _revocation = revocation;
        _time = timeProvider;
        _clockSkew = clockSkew;
    }

    /// <summary>Whether any corporate CA is configured.</summary>
    public bool IsEnabled => _anchors.All.Count > 0;

    /// <summary>
    /// Whether the certificate names a configured corporate CA as its issuer (authority key identifier):
    /// this decides which verifier a delegator's certificate goes to. Says nothing about its validity.
    /// </summary>
    public bool NamesCorporateIssuer(JpkiCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return _anchors.All.Any(anchor => anchor.MayHaveIssued(certificate.AuthorityKeyIdentifier.Span));
    }

    /// <summary>Verifies a DER certificate of a corporate CA for signing; on success its subject carries a 会社法人等番号.</summary>
    public async ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyAsync(ReadOnlyMemory<byte> certificateDer, CancellationToken cancellationToken = default)
    {
        // RFC 5280 §4.1: one DER-encoded X.509 certificate.
        if (!JpkiCertificate.TryParse(certificateDer.Span, out var certificate))
        {
            return Fail(JpkiErrorCode.CertificateMalformed, "Not a DER-encoded X.509 certificate.");
        }

        if (CheckProfile(certificate) is { } violation)
        {
            return Fail(JpkiErrorCode.CertificateProfileInvalid, violation);
        }

        // RFC 5280 §6.1.3(a)(1): signed by a configured corporate CA, found by key identifier and signature.
        var issuer = _anchors.All.FirstOrDefault(anchor =>
            anchor.MayHaveIssued(certificate.AuthorityKeyIdentifier.Span)
            && anchor.VerifySignature(certificate.TbsCertificate.Span, certificate.Signature.Span, certificate.SignatureAlgorithm));
        if (issuer is null)
        {
            return Fail(JpkiErrorCode.CertificateUntrusted, "No configured corporate CA (Delegation:DelegatorTrustAnchors) issued the certificate.");
        }

        // Where we read the corporation: the subject is read only once the CA's signature showed it is the CA's
        // (an unsigned certificate's subject is attacker-chosen bytes; see CorporateCertificate).
        if (CorporateCertificate.CompanyNumber(certificate) is null)
        {
            return Fail(JpkiErrorCode.CertificateProfileInvalid, "The subject carries no 12-digit 会社法人等番号 (serialNumber attribute).");
        }

        // The CA issues certificates only while it is valid itself (as for JPKI roots).
        if (certificate.NotBefore < issuer.NotBefore || certificate.NotBefore > issuer.NotAfter)
        {
            return Fail(JpkiErrorCode.CertificateUntrusted, $"The certificate's notBefore lies outside the validity of its CA {issuer.Fingerprint}.");
        }

        // RFC 5280 §6.1.3(a)(2): valid at the time of signing, which is now (the statement is verified as it arrives).
        var now = _time.GetUtcNow();
        if (now + _clockSkew < certificate.NotBefore || now - _clockSkew > certificate.NotAfter)
        {
            return Fail(JpkiErrorCode.CertificateExpired, $"The certificate is valid only from {certificate.NotBefore:O} to {certificate.NotAfter:O}.");
        }

        // RFC 5280 §6.1.3(a)(3): a fresh CRL of that CA; none configured or none fresh is a refusal.
        var revocation = await _revocation.CheckAsync(certificate, issuer, cancellationToken).ConfigureAwait(false);
        return revocation.State switch
        {
            RevocationState.Good => JpkiResult<JpkiVerifiedCertificate>.Success(
                new JpkiVerifiedCertificate(certificate, JpkiCertificateKind.Signing, issuer, revocation, certificate.CreateRsaPublicKey())),
            RevocationState.Revoked => Fail(JpkiErrorCode.CertificateRevoked, $"Revoked at {revocation.RevokedAt:O}, per {revocation.Source}."),
            _ => Fail(JpkiErrorCode.RevocationUnavailable, revocation.Detail ?? "No revocation data for the corporate CA (Delegation:DelegatorCrlFiles)."),
        };
    }

    // RFC 5280 §4.2 for an end entity that signs; null when the certificate conforms.
    private static string? CheckProfile(JpkiCertificate certificate)
    {
        if (EndEntityProfile.Violation(certificate) is { } violation)
        {
            return violation;
        }

        if (certificate.PublicKeyAlgorithm != Oids.RsaEncryption || certificate.RsaKeySizeBits < MinimumKeySizeBits)
        {
            return $"The key is not RSA of at least {MinimumKeySizeBits} bits.";
        }

        // RFC 5280 §4.2.1.3: a key that signs documents has digitalSignature or nonRepudiation.
        const X509KeyUsageFlags signing = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation;
        if (certificate.KeyUsage is not { } usage || (usage & signing) == 0)
        {
            return "KeyUsage must be present with digitalSignature or nonRepudiation.";
        }

        return null;
    }

    private static JpkiResult<JpkiVerifiedCertificate> Fail(JpkiErrorCode code, string detail) =>
        JpkiResult<JpkiVerifiedCertificate>.Fail(code, detail);
}
