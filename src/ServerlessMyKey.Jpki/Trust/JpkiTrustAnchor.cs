using System.Security.Cryptography;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Signatures;

namespace ServerlessMyKey.Jpki.Trust;

/// <summary>
/// A pinned JPKI root: the only thing that may issue certificates (and CRLs) of its kind. Found by
/// key identifier and signature, never by name: all generations of a root share one DN.
/// </summary>
public sealed class JpkiTrustAnchor
{
    // Lives as long as the anchor set (the application), with its Montgomery context computed once.
    private readonly RsaPublicKey _publicKey;

    internal JpkiTrustAnchor(JpkiCertificateKind kind, JpkiCertificate certificate, string source, bool isTestRoot)
    {
        Kind = kind;
        Certificate = certificate;
        Source = source;
        IsTestRoot = isTestRoot;

        // RFC 5280 §4.2.1.2: without a subjectKeyIdentifier, method 1 (SHA-1 of the subjectPublicKey) is what
        // issuers put into the authorityKeyIdentifier of what they sign.
        KeyIdentifierBytes = certificate.SubjectKeyIdentifier.IsEmpty
            ? SHA1.HashData(certificate.SubjectPublicKey.Span)
            : certificate.SubjectKeyIdentifier.ToArray();
        _publicKey = certificate.CreateRsaPublicKey(longLived: true);
    }

    /// <summary>The kind of end-entity certificate this root is trusted for.</summary>
    public JpkiCertificateKind Kind { get; }

    /// <summary>SHA-256 of the root certificate, lower-case hex.</summary>
    public string Fingerprint => Certificate.Fingerprint;

    /// <summary>The subject key identifier, lower-case hex: what issued certificates name in their authorityKeyIdentifier.</summary>
    public string KeyIdentifier => Convert.ToHexStringLower(KeyIdentifierBytes.Span);

    public DateTimeOffset NotBefore => Certificate.NotBefore;

    public DateTimeOffset NotAfter => Certificate.NotAfter;

    /// <summary>A root of the J-LIS test hierarchy (<c>O=JPKI-TEST</c>).</summary>
    public bool IsTestRoot { get; }

    /// <summary>Where the root came from: <c>bundled:&lt;file&gt;</c> or the configured path.</summary>
    public string Source { get; }

    internal JpkiCertificate Certificate { get; }

    public ReadOnlyMemory<byte> KeyIdentifierBytes { get; }

    /// <summary>Whether a certificate or CRL naming <paramref name="authorityKeyIdentifier"/> names this root (RFC 5280 §4.2.1.1: issuers always include it).</summary>
    internal bool MayHaveIssued(ReadOnlySpan<byte> authorityKeyIdentifier) =>
        !authorityKeyIdentifier.IsEmpty && authorityKeyIdentifier.SequenceEqual(KeyIdentifierBytes.Span);

    /// <summary>Verifies this root's RSASSA-PKCS1-v1_5 signature over <paramref name="signed"/>.</summary>
    /// <param name="signedSha256">SHA-256 of <paramref name="signed"/> when the caller has it already (empty: hashed here).</param>
    internal bool VerifySignature(ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature, string signatureAlgorithm, ReadOnlySpan<byte> signedSha256 = default)
    {
        if (RsaSignatureHash(signatureAlgorithm) is not { } name)
        {
            return false;
        }

        if (name == HashAlgorithmName.SHA256 && signedSha256.Length == SHA256.HashSizeInBytes)
        {
            return _publicKey.VerifyHash(signedSha256, signature, name);
        }

        Span<byte> digest = stackalloc byte[SHA512.HashSizeInBytes];
        var length = CryptographicOperations.HashData(name, signed, digest);
        return _publicKey.VerifyHash(digest[..length], signature, name);
    }

    /// <summary>The hash of an accepted RSASSA-PKCS1-v1_5 signature algorithm (SHA-256/384/512), or null for any other.</summary>
    internal static HashAlgorithmName? RsaSignatureHash(string signatureAlgorithm) => signatureAlgorithm switch
    {
        Oids.Sha256WithRsaEncryption => HashAlgorithmName.SHA256,
        Oids.Sha384WithRsaEncryption => HashAlgorithmName.SHA384,
        Oids.Sha512WithRsaEncryption => HashAlgorithmName.SHA512,
        _ => null,
    };

    public override string ToString() => $"{Kind} root {Fingerprint} ({Source})";
}
