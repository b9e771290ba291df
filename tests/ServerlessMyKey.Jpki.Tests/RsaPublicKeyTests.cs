using System.Security.Cryptography;
using CsCheck;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Tests.Vectors;
using ServerlessMyKey.Testing;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>
/// The RSASSA-PKCS1-v1_5 verification that does not import keys (<see cref="RsaPublicKey"/>) against the
/// platform's verifier (OpenSSL through .NET, key imported): random keys of 2048, 3072 and 4096 bits,
/// random messages, corrupted signatures and hand-made encodings, plus Wycheproof's known answers.
/// </summary>
public sealed class RsaPublicKeyTests(RsaPublicKeyTests.Keys keys) : IClassFixture<RsaPublicKeyTests.Keys>
{
    private enum Corruption
    {
        None,
        FlipSignatureBit,
        FlipDigestBit,
        OtherMessage,
        RandomSignature,
        SignaturePlusModulus,
        ModulusMinusSignature,
        Truncated,
        Extended,
        AsSha384,
    }

    [Fact]
    public void The_fast_path_is_used_here()
    {
        // The build and CI machines are Linux with libcrypto: a silent fallback would leave the fast path untested.
        Assert.True(OpenSslBigNumbers.IsAvailable);
        Assert.All(keys.All, key => Assert.False(key.Fast.UsesPlatform));
    }

    [Fact]
    public void One_time_Montgomery_contexts_are_filled_here_after_the_probe_passed()
    {
        // The probe compares the filled contexts with BN_MONT_CTX_set's on this libcrypto; a failed probe falls back silently.
        Assert.True(OpenSslBigNumbers.FastContexts);
    }

    [Fact]
    public void The_Montgomery_word_is_minus_the_inverse_of_the_modulus_modulo_two_to_the_64() =>
        Gen.ULong.Select(value => value | 1).SampleSeeded(odd => odd * MontgomeryFields.NegatedInverse(odd) == ulong.MaxValue, iter: 10_000);

    [Fact]
    public void The_encodings_are_equal_only_when_every_octet_is() =>
        Gen.Select(Gen.Byte.Array[1, 520], Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).SampleSeeded((block, position, flip) =>
        {
            var other = block.ToArray();
            other[position % other.Length] ^= flip;
            return EmsaPkcs1V15.Equal(block, block.ToArray()) && !EmsaPkcs1V15.Equal(block, other) && !EmsaPkcs1V15.Equal(block, block.AsSpan(1));
        }, iter: 10_000);

    [Fact]
    public void Agrees_with_the_platform_on_random_keys_messages_and_corrupted_signatures()
    {
        var cases = Gen.Select(Gen.Int[0, keys.All.Length - 1], Gen.Int[0, Keys.MessagesPerKey - 1], Gen.Enum<Corruption>(), Gen.Int[0, int.MaxValue], Gen.Byte.Array[0, 600]);
        cases.SampleSeeded(
            (keyIndex, messageIndex, corruption, position, random) =>
            {
                var key = keys.All[keyIndex];
                var (digest, signature, hash) = Corrupt(key, messageIndex, corruption, position, random);
                var expected = key.Platform.VerifyHash(digest, signature, hash, RSASignaturePadding.Pkcs1);
                var actual = key.Fast.VerifyHash(digest, signature, hash);
                return expected == actual && (corruption != Corruption.None || actual);
            },
            iter: 3000);
    }

    [Fact]
    public void Refuses_every_encoding_but_the_one_rebuilt_and_so_does_the_platform()
    {
        foreach (var key in keys.All)
        {
            var digest = SHA256.HashData("challenge"u8);
            var other = SHA256.HashData("other"u8);
            byte[] Exact() => Encode(key.Length, [.. Sha256Prefix, .. digest]);

            Assert.True(Verify(key, digest, key.SignRaw(Exact())), "the exact encoding");

            byte[][] forgeries =
            [
                Encode(key.Length, [0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20, .. digest]), // no NULL
                Encode(key.Length, [0x30, 0x81, 0x31, .. Sha256Prefix[2..], .. digest]), // BER long-form length
                Encode(key.Length, [.. Sha256Prefix, .. other]), // another digest
                Encode(key.Length, [.. Sha384Prefix, .. SHA384.HashData("challenge"u8)]), // another hash
                EncodeShortPadding(key.Length, [.. Sha256Prefix, .. digest]), // garbage after the DigestInfo (Bleichenbacher 2006)
                WithByte(Exact(), 1, 0x02), // block type 2
                WithByte(Exact(), 0, 0x01), // leading octet not zero
                WithByte(Exact(), 5, 0xFE), // a padding octet not 0xFF
                WithByte(Exact(), key.Length - digest.Length - Sha256Prefix.Length - 1, 0x01), // separator not zero
            ];
            foreach (var forgery in forgeries)
            {
                var signature = key.SignRaw(forgery);
                Assert.False(key.Platform.VerifyHash(digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
                Assert.False(key.Fast.VerifyHash(digest, signature, HashAlgorithmName.SHA256));
            }
        }

        static bool Verify(TestKey key, byte[] digest, byte[] signature) =>
            key.Fast.VerifyHash(digest, signature, HashAlgorithmName.SHA256) && key.Platform.VerifyHash(digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    [Fact]
    public void Answers_wycheproof_known_answers()
    {
        var modulus = Convert.FromHexString(WycheproofRsaPkcs1Sha256.Modulus);
        var exponent = Convert.FromHexString(WycheproofRsaPkcs1Sha256.Exponent);
        var fast = new RsaPublicKey(modulus, exponent);
        var platform = new RsaPublicKey(modulus, exponent, platformOnly: true);
        Assert.False(fast.UsesPlatform);

        foreach (var (id, flag, message, signatureHex, valid) in WycheproofRsaPkcs1Sha256.Cases)
        {
            var digest = SHA256.HashData(Convert.FromHexString(message));
            var signature = Convert.FromHexString(signatureHex);
            Assert.True(valid == fast.VerifyHash(digest, signature, HashAlgorithmName.SHA256), $"tcId {id} ({flag})");
            Assert.True(valid == platform.VerifyHash(digest, signature, HashAlgorithmName.SHA256), $"tcId {id} ({flag}), platform");
        }
    }

    [Fact]
    public void A_key_outside_the_fast_path_goes_to_the_platform_with_the_same_answers()
    {
        // Wycheproof tcId 259: e = 3, a signature close to n, valid.
        var key = new RsaPublicKey(Convert.FromHexString(WycheproofRsaPkcs1Sha256.SmallExponentModulus), [0x03]);
        var digest = SHA256.HashData(Convert.FromHexString(WycheproofRsaPkcs1Sha256.SmallExponentMessage));
        var signature = Convert.FromHexString(WycheproofRsaPkcs1Sha256.SmallExponentSignature);

        Assert.True(key.UsesPlatform);
        Assert.True(key.VerifyHash(digest, signature, HashAlgorithmName.SHA256));
        signature[^1] ^= 1;
        Assert.False(key.VerifyHash(digest, signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public void A_long_lived_key_verifies_like_a_short_lived_one_from_several_threads()
    {
        var key = keys.All[0];
        var longLived = new RsaPublicKey(key.Modulus, key.Exponent, longLived: true);
        Parallel.For(0, 200, i =>
        {
            var (digest, signature, _) = Corrupt(key, i % Keys.MessagesPerKey, i % 2 == 0 ? Corruption.None : Corruption.FlipSignatureBit, i * 7919, []);
            Assert.Equal(i % 2 == 0, longLived.VerifyHash(digest, signature, HashAlgorithmName.SHA256));
        });
    }

    private static ReadOnlySpan<byte> Sha256Prefix => [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

    private static ReadOnlySpan<byte> Sha384Prefix => [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];

    private static (byte[] Digest, byte[] Signature, HashAlgorithmName Hash) Corrupt(TestKey key, int messageIndex, Corruption corruption, int position, byte[] random)
    {
        var digest = (byte[])key.Digests[messageIndex].Clone();
        var signature = (byte[])key.Signatures[messageIndex].Clone();
        var modulus = new System.Numerics.BigInteger(key.Modulus, isUnsigned: true, isBigEndian: true);
        var s = new System.Numerics.BigInteger(signature, isUnsigned: true, isBigEndian: true);
        switch (corruption)
        {
            case Corruption.FlipSignatureBit:
                signature[position % signature.Length] ^= (byte)(1 << (position % 8));
                break;
            case Corruption.FlipDigestBit:
                digest[position % digest.Length] ^= (byte)(1 << (position % 8));
                break;
            case Corruption.OtherMessage:
                digest = key.Digests[(messageIndex + 1 + (position % (Keys.MessagesPerKey - 1))) % Keys.MessagesPerKey];
                break;
            case Corruption.RandomSignature:
                signature = random.Length == 0 ? [] : [.. random.Take(key.Length), .. new byte[Math.Max(0, key.Length - random.Length)]];
                break;
            case Corruption.SignaturePlusModulus:
                // The same residue, not reduced: longer than the modulus unless it still fits (then s + n ≥ n).
                signature = (s + modulus).ToByteArray(isUnsigned: true, isBigEndian: true);
                break;
            case Corruption.ModulusMinusSignature:
                signature = Pad((modulus - s).ToByteArray(isUnsigned: true, isBigEndian: true), key.Length);
                break;
            case Corruption.Truncated:
                signature = signature[..(position % signature.Length)];
                break;
            case Corruption.Extended:
                signature = [0x00, .. signature];
                break;
            case Corruption.AsSha384:
                return (SHA384.HashData(digest), signature, HashAlgorithmName.SHA384);
        }

        return (digest, signature, HashAlgorithmName.SHA256);
    }

    private static byte[] Pad(byte[] value, int length) => value.Length >= length ? value : [.. new byte[length - value.Length], .. value];

    private static byte[] Encode(int length, byte[] digestInfo)
    {
        var encoded = new byte[length];
        encoded[1] = 0x01;
        encoded.AsSpan(2, length - digestInfo.Length - 3).Fill(0xFF);
        digestInfo.CopyTo(encoded, length - digestInfo.Length);
        return encoded;
    }

    private static byte[] EncodeShortPadding(int length, byte[] digestInfo)
    {
        var encoded = new byte[length];
        encoded[1] = 0x01;
        encoded.AsSpan(2, 8).Fill(0xFF);
        digestInfo.CopyTo(encoded, 11);
        RandomNumberGenerator.Fill(encoded.AsSpan(11 + digestInfo.Length));
        return encoded;
    }

    private static byte[] WithByte(byte[] encoded, int index, byte value)
    {
        encoded[index] = value;
        return encoded;
    }

    /// <summary>A generated key, its platform import, its fast counterpart, and messages signed by it.</summary>
    public sealed class TestKey
    {
        private readonly RsaEngine _raw = new();

        public TestKey(int bits)
        {
            using var rsa = RSA.Create(bits);
            var p = rsa.ExportParameters(includePrivateParameters: true);
            Modulus = p.Modulus!;
            Exponent = p.Exponent!;
            Platform = RSA.Create(new RSAParameters { Modulus = Modulus, Exponent = Exponent });
            Fast = new RsaPublicKey(Modulus, Exponent);
            _raw.Init(true, new RsaPrivateCrtKeyParameters(
                Unsigned(p.Modulus!), Unsigned(p.Exponent!), Unsigned(p.D!), Unsigned(p.P!), Unsigned(p.Q!), Unsigned(p.DP!), Unsigned(p.DQ!), Unsigned(p.InverseQ!)));
            Digests = Enumerable.Range(0, Keys.MessagesPerKey).Select(_ => SHA256.HashData(RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(0, 200)))).ToArray();
            Signatures = Digests.Select(digest => rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).ToArray();
        }

        public byte[] Modulus { get; }

        public byte[] Exponent { get; }

        public int Length => Modulus.Length;

        public RSA Platform { get; }

        internal RsaPublicKey Fast { get; }

        public byte[][] Digests { get; }

        public byte[][] Signatures { get; }

        /// <summary>RSASP1 on an arbitrary encoded message: what a holder of the private key could sign.</summary>
        public byte[] SignRaw(byte[] encoded)
        {
            lock (_raw)
            {
                return Pad(_raw.ProcessBlock(encoded, 0, encoded.Length), Length);
            }
        }

        private static BigInteger Unsigned(byte[] value) => new(1, value);
    }

    /// <summary>Keys generated once for the class: four of 2048 bits, one of 3072, one of 4096.</summary>
    public sealed class Keys
    {
        public const int MessagesPerKey = 16;

        public TestKey[] All { get; } = [.. new[] { 2048, 2048, 2048, 2048, 3072, 4096 }.AsParallel().AsOrdered().Select(bits => new TestKey(bits))];
    }
}
