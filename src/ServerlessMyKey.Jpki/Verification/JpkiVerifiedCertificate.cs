using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Verification;

/// <summary>
/// A certificate that passed every check of <see cref="JpkiCertificateVerifier.VerifyAsync"/>; the only
/// thing <see cref="JpkiCertificateVerifier.VerifySignature"/> accepts a key from.
/// </summary>
public sealed class JpkiVerifiedCertificate
{
    internal JpkiVerifiedCertificate(JpkiCertificate certificate, JpkiCertificateKind kind, JpkiTrustAnchor issuer, RevocationResult revocation, RsaPublicKey key)
    {
        Key = key;
        Certificate = certificate;
        Kind = kind;
        Issuer = issuer;
        Revocation = revocation;
    }

    /// <summary>The parsed certificate; for signing certificates its <see cref="JpkiCertificate.SubjectAlternativeName"/> holds the 基本4情報.</summary>
    public JpkiCertificate Certificate { get; }

    public JpkiCertificateKind Kind { get; }

    /// <summary>Upper-case hex. Unique per issuer, not globally: key records by issuer key identifier and serial.</summary>
    public string SerialNumber => Certificate.SerialNumber;

    public DateTimeOffset NotBefore => Certificate.NotBefore;

    public DateTimeOffset NotAfter => Certificate.NotAfter;

    /// <summary>The root that issued the certificate (its fingerprint and key identifier identify the generation).</summary>
    public JpkiTrustAnchor Issuer { get; }

    public RevocationResult Revocation { get; }

    /// <summary>
    /// When the certificate expired, if it did: set only when a caller's <see cref="ExpiryGrace"/> accepted an
    /// expired certificate; null for a certificate within its validity period.
    /// </summary>
    public DateTimeOffset? ExpiredAt { get; init; }

    /// <summary>The certificate's public key, shared with later verifications of the same certificate.</summary>
    internal RsaPublicKey Key { get; }
}
