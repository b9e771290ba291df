using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ServerlessMyKey.Jpki.Signatures;

/// <summary>
/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2): the whole encoded message a valid signature must recover,
/// <c>0x00 0x01 FF…FF 0x00 DigestInfo</c>, built from the expected hash so that verification compares it
/// byte for byte with what the signature yields and never parses the recovered block.
/// </summary>
internal static class EmsaPkcs1V15
{
    // RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest (AlgorithmIdentifier with NULL parameters).
    private static ReadOnlySpan<byte> Sha256Prefix => [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

    private static ReadOnlySpan<byte> Sha384Prefix => [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];

    private static ReadOnlySpan<byte> Sha512Prefix => [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

    /// <summary>Writes the encoding of <paramref name="digest"/> into all of <paramref name="encoded"/> (emLen = its length); false when the hash is not SHA-256/384/512, the digest has the wrong length, or emLen &lt; tLen + 11.</summary>
    public static bool TryEncode(HashAlgorithmName hash, ReadOnlySpan<byte> digest, Span<byte> encoded)
    {
        var prefix = Prefix(hash);
        if (prefix.IsEmpty || digest.Length != prefix[^1])
        {
            return false;
        }

        var digestInfoLength = prefix.Length + digest.Length;
        if (encoded.Length < digestInfoLength + 11)
        {
            return false;
        }

        var separator = encoded.Length - digestInfoLength - 1;
        encoded[0] = 0x00;
        encoded[1] = 0x01;
        encoded[2..separator].Fill(0xFF);
        encoded[separator] = 0x00;
        prefix.CopyTo(encoded[(separator + 1)..]);
        digest.CopyTo(encoded[(separator + 1 + prefix.Length)..]);
        return true;
    }

    /// <summary>
    /// RFC 8017 §8.2.2 step 4: whether the recovered block is exactly the rebuilt encoding, every octet compared
    /// in a time that depends only on the length — eight octets at a time (<c>CryptographicOperations.FixedTimeEquals</c>
    /// compares one at a time with the JIT's optimizations off: 0.78 µs for 256 octets, 4 % of a verification).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool Equal(ReadOnlySpan<byte> recovered, ReadOnlySpan<byte> encoded)
    {
        if (recovered.Length != encoded.Length)
        {
            return false;
        }

        var whole = recovered.Length / sizeof(ulong) * sizeof(ulong);
        var left = MemoryMarshal.Cast<byte, ulong>(recovered[..whole]);
        var right = MemoryMarshal.Cast<byte, ulong>(encoded[..whole]);
        ulong difference = 0;
        for (var i = 0; i < left.Length; i++)
        {
            difference |= left[i] ^ right[i];
        }

        for (var i = whole; i < recovered.Length; i++)
        {
            difference |= (uint)(recovered[i] ^ encoded[i]);
        }

        return difference == 0;
    }

    private static ReadOnlySpan<byte> Prefix(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA256 ? Sha256Prefix
        : hash == HashAlgorithmName.SHA384 ? Sha384Prefix
        : hash == HashAlgorithmName.SHA512 ? Sha512Prefix
        : [];
}
