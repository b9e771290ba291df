using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Verification;

/// <summary>
/// The steps shared by the verifiers of end-entity signing certificates issued directly by a pinned CA of a
/// set of their own (corporate CAs, HPKI CAs): the common signing profile, then issued by a configured anchor
/// (key identifier and signature, never name) → within the anchor's validity → valid now → a fresh CRL. No
/// I/O of its own; the first failed check answers; no revocation data is a refusal.
/// </summary>
/// <param name="caDescription">Names the CA set in refusals: "corporate CA (Delegation:DelegatorTrustAnchors)".</param>
/// <param name="noRevocationDetail">The refusal's detail when the revocation checker gives none.</param>
internal sealed class PinnedCaVerifier(JpkiTrustAnchors anchors, IRevocationChecker revocation, TimeProvider time, TimeSpan clockSkew, string caDescription, string noRevocationDetail)
{
    private const int MinimumKeySizeBits = 2048;

    public IReadOnlyCollection<JpkiTrustAnchor> Anchors => anchors.All;

    /// <summary>RFC 5280 §4.2 for an end entity that signs (RSA of at least 2048 bits, a signing KeyUsage); null when it conforms.</summary>
    public static string? SigningProfileViolation(JpkiCertificate certificate)
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
        return certificate.KeyUsage is not { } usage || (usage & signing) == 0
            ? "KeyUsage must be present with digitalSignature or nonRepudiation."
            : null;
    }

    /// <summary>Chain, validity and revocation of a certificate whose profile the caller has checked.</summary>
    public async ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyIssuedAsync(JpkiCertificate certificate, CancellationToken cancellationToken)
    {
        // RFC 5280 §6.1.3(a)(1): signed by a configured CA, found by key identifier and signature.
        var issuer = anchors.All.FirstOrDefault(anchor =>
            anchor.MayHaveIssued(certificate.AuthorityKeyIdentifier.Span)
            && anchor.VerifySignature(certificate.TbsCertificate.Span, certificate.Signature.Span, certificate.SignatureAlgorithm));
        if (issuer is null)
        {
            return Fail(JpkiErrorCode.CertificateUntrusted, $"No configured {caDescription} issued the certificate.");
        }

        // A CA issues certificates only while it is valid itself (as for JPKI roots).
        if (certificate.NotBefore < issuer.NotBefore || certificate.NotBefore > issuer.NotAfter)
        {
            return Fail(JpkiErrorCode.CertificateUntrusted, $"The certificate's notBefore lies outside the validity of its CA {issuer.Fingerprint}.");
        }

        // RFC 5280 §6.1.3(a)(2): valid at the time of signing, which is now (the signature is verified as it arrives).
        var now = time.GetUtcNow();
        if (now + clockSkew < certificate.NotBefore || now - clockSkew > certificate.NotAfter)
        {
            return Fail(JpkiErrorCode.CertificateExpired, $"The certificate is valid only from {certificate.NotBefore:O} to {certificate.NotAfter:O}.");
        }

        // RFC 5280 §6.1.3(a)(3): a fresh CRL of that CA; none configured or none fresh is a refusal.
        var status = await revocation.CheckAsync(certificate, issuer, cancellationToken).ConfigureAwait(false);
        return status.State switch
        {
            RevocationState.Good => JpkiResult<JpkiVerifiedCertificate>.Success(
                new JpkiVerifiedCertificate(certificate, JpkiCertificateKind.Signing, issuer, status, certificate.CreateRsaPublicKey())),
            RevocationState.Revoked => Fail(JpkiErrorCode.CertificateRevoked, $"Revoked at {status.RevokedAt:O}, per {status.Source}."),
            _ => Fail(JpkiErrorCode.RevocationUnavailable, status.Detail ?? noRevocationDetail),
        };
    }

    private static JpkiResult<JpkiVerifiedCertificate> Fail(JpkiErrorCode code, string detail) =>
        JpkiResult<JpkiVerifiedCertificate>.Fail(code, detail);
}
