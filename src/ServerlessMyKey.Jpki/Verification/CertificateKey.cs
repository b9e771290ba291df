using System.Security.Cryptography;
using ServerlessMyKey.Jpki.Certificates;

namespace ServerlessMyKey.Jpki.Verification;

/// <summary>
/// A certificate's RSA public key, imported into the platform's RSA at most once, on first use.
/// </summary>
/// <remarks>
/// The import is what makes a login expensive: .NET checks an imported RSA key (dotnet/runtime#97827),
/// measured here at 190–450 µs for a 2048-bit public key, against about 35 µs for the verification
/// itself. Uses of one instance are serialized (the platform does not document concurrent use of one
/// RSA object as safe); the lock is uncontended unless one card logs in several times at once.
/// </remarks>
internal sealed class CertificateKey
{
    private readonly Lock _lock = new();
    private readonly byte[] _modulus;
    private readonly byte[] _exponent;
    private RSA? _key;

    public CertificateKey(JpkiCertificate certificate)
    {
        // Copies, so that a cached key does not keep the whole certificate alive.
        _modulus = certificate.RsaModulus.ToArray();
        _exponent = certificate.RsaExponent.ToArray();
    }

    /// <summary>Whether the platform's RSA has been created (for tests).</summary>
    internal bool IsImported
    {
        get
        {
            lock (_lock)
            {
                return _key is not null;
            }
        }
    }

    /// <summary>RSASSA-PKCS1-v1_5 verification of a SHA-256 digest (the DigestInfo is rebuilt for SHA-256 by the platform).</summary>
    public bool VerifySha256(ReadOnlySpan<byte> sha256Digest, ReadOnlySpan<byte> signature)
    {
        lock (_lock)
        {
            // Never disposed: an evicted key may still be in use by a caller holding its certificate;
            // the handle's finalizer frees the native key.
            _key ??= RSA.Create(new RSAParameters { Modulus = _modulus, Exponent = _exponent });
            return _key.VerifyHash(sha256Digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }
}
