using System.Security.Cryptography;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Signatures;

namespace ServerlessMyKey.Jpki.Verification;

/// <summary>
/// RSASSA-PKCS1-v1_5 with SHA-256 by the key of a certificate that a verifier accepted (JPKI, corporate,
/// HPKI alike): the check needs only that certificate's key, never the verifier that accepted it.
/// </summary>
public static class SignatureCheck
{
    /// <summary>Verifies a signature over the SHA-256 digest of the data (SHA-256 pinned; a SHA-1 DigestInfo is named).</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256Digest"/> is not 32 bytes: the caller validates input.</exception>
    public static JpkiResult VerifyDigest(JpkiVerifiedCertificate certificate, ReadOnlySpan<byte> sha256Digest, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (sha256Digest.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("A SHA-256 digest is 32 bytes.", nameof(sha256Digest));
        }

        // RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus; checked before any RSA work.
        var modulus = certificate.Certificate.RsaModulus.Span;
        if (signature.Length != modulus.Length)
        {
            return JpkiResult.Fail(JpkiErrorCode.SignatureInvalid, $"The signature is {signature.Length} bytes; the key needs {modulus.Length}.");
        }

        // RFC 8017 §8.2.2 steps 2–4, with the DigestInfo rebuilt for SHA-256: the hash is pinned, not taken from the signature.
        if (certificate.Key.VerifyHash(sha256Digest, signature, HashAlgorithmName.SHA256))
        {
            return JpkiResult.Success;
        }

        // JPKI: the card signs whatever DigestInfo the client sent; name a genuine signature over another hash (SHA-1).
        var algorithm = Pkcs1DigestInfo.RecoverDigestAlgorithm(certificate.Key, signature);
        return algorithm is not null && algorithm != Oids.Sha256
            ? JpkiResult.Fail(JpkiErrorCode.SignatureAlgorithmUnsupported, $"The signature is over a {algorithm} DigestInfo; only SHA-256 is accepted.")
            : JpkiResult.Fail(JpkiErrorCode.SignatureInvalid, "The signature does not verify with the certificate's key.");
    }

}
