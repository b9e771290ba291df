using System.Security.Cryptography;

namespace ServerlessMyKey.Jpki.Signatures;

/// <summary>
/// An RSA public key that verifies RSASSA-PKCS1-v1_5 signatures with SHA-256/384/512 (RFC 8017 §8.2.2)
/// without importing the key into the platform's RSA: <c>s &lt; n</c>, <c>m = s^e mod n</c> in libcrypto's
/// big numbers (<see cref="OpenSslBigNumbers"/>), then <c>m</c> compared in fixed time with the whole
/// EMSA-PKCS1-v1_5 encoding rebuilt from the expected digest (<see cref="EmsaPkcs1V15"/>). The recovered
/// block is never parsed. Keys the fast path does not cover (another exponent than 65537, a modulus
/// outside 2048–4096 bits, no libcrypto) are imported into the platform's RSA once, on first use.
/// </summary>
internal sealed class RsaPublicKey
{
    private const int MinimumModulusBytes = 256;
    private const int MaximumModulusBytes = 512;
    private static readonly byte[] Exponent65537 = [0x01, 0x00, 0x01];

    private readonly Lock _lock = new();
    private readonly byte[] _modulus;
    private readonly byte[] _exponent;
    private readonly OpenSslBigNumbers.MontgomeryContext? _montgomery;
    private RSA? _platform;

    /// <param name="modulus">n, big-endian without leading zero octets.</param>
    /// <param name="exponent">e, big-endian.</param>
    /// <param name="longLived">Precompute n's Montgomery context once (a pinned root used for every certificate and CRL).</param>
    /// <param name="platformOnly">Always use the platform's RSA (differential tests, and the bench's yardstick).</param>
    public RsaPublicKey(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent, bool longLived = false, bool platformOnly = false)
    {
        _modulus = modulus.ToArray();
        _exponent = exponent.ToArray();
        UsesPlatform = platformOnly
            || !OpenSslBigNumbers.IsAvailable
            || !exponent.SequenceEqual(Exponent65537)
            || _modulus.Length is < MinimumModulusBytes or > MaximumModulusBytes
            || _modulus[0] == 0
            || (_modulus[^1] & 1) == 0;
        if (!UsesPlatform && longLived)
        {
            _montgomery = OpenSslBigNumbers.CreateMontgomeryContext(_modulus);
        }
    }

    /// <summary>Whether verification goes through the platform's RSA (key imported on first use) rather than libcrypto's big numbers.</summary>
    internal bool UsesPlatform { get; }

    /// <summary>The modulus length in octets: what every signature by this key is long.</summary>
    public int Length => _modulus.Length;

    public ReadOnlySpan<byte> Modulus => _modulus;

    public ReadOnlySpan<byte> Exponent => _exponent;

    /// <summary>Whether the platform's RSA has been created (for tests).</summary>
    internal bool IsImported
    {
        get
        {
            lock (_lock)
            {
                return _platform is not null;
            }
        }
    }

    /// <summary>RSASSA-PKCS1-v1_5 verification of <paramref name="digest"/> made with <paramref name="hash"/> (SHA-256/384/512).</summary>
    public bool VerifyHash(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, HashAlgorithmName hash)
    {
        // RFC 8017 §8.2.2 step 1: exactly as long as the modulus (no leading zero octets added or dropped).
        if (signature.Length != _modulus.Length)
        {
            return false;
        }

        if (UsesPlatform)
        {
            return VerifyWithPlatform(digest, signature, hash);
        }

        // Step 3: EM' = EMSA-PKCS1-V1_5-ENCODE(M, k); an unknown hash or a digest of the wrong length encodes nothing.
        Span<byte> expected = stackalloc byte[MaximumModulusBytes];
        expected = expected[.._modulus.Length];
        if (!EmsaPkcs1V15.TryEncode(hash, digest, expected))
        {
            return false;
        }

        // Step 2: RSAVP1, then step 4: compare EM with EM' in fixed time.
        Span<byte> recovered = stackalloc byte[MaximumModulusBytes];
        recovered = recovered[.._modulus.Length];
        return TryRecover(signature, recovered) && EmsaPkcs1V15.Equal(recovered, expected);
    }

    /// <summary>RSAVP1 (RFC 8017 §5.2.2): <c>signature^e mod n</c> into <paramref name="encoded"/> (modulus length); false when the signature is out of range or not as long as the modulus.</summary>
    public bool TryRecover(ReadOnlySpan<byte> signature, Span<byte> encoded)
    {
        // §5.2.2 step 1: 0 ≤ s < n. Both are big-endian of the same length, so the byte order is the numeric order.
        if (signature.Length != _modulus.Length || encoded.Length != _modulus.Length || signature.SequenceCompareTo(_modulus) >= 0)
        {
            return false;
        }

        if (!UsesPlatform)
        {
            return OpenSslBigNumbers.TryPublicOperation(_modulus, signature, encoded, _montgomery);
        }

        var n = new System.Numerics.BigInteger(_modulus, isUnsigned: true, isBigEndian: true);
        var m = System.Numerics.BigInteger.ModPow(
            new System.Numerics.BigInteger(signature, isUnsigned: true, isBigEndian: true),
            new System.Numerics.BigInteger(_exponent, isUnsigned: true, isBigEndian: true),
            n);
        encoded.Clear();
        return m.TryWriteBytes(encoded[(encoded.Length - m.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
    }

    private bool VerifyWithPlatform(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, HashAlgorithmName hash)
    {
        // Uses of one platform key are serialized (concurrent use of one RSA object is not documented as safe).
        lock (_lock)
        {
            // Never disposed: an evicted key may still be in use by a caller holding its certificate;
            // the handle's finalizer frees the native key.
            _platform ??= RSA.Create(new RSAParameters { Modulus = _modulus, Exponent = _exponent });
            return _platform.VerifyHash(digest, signature, hash, RSASignaturePadding.Pkcs1);
        }
    }
}
