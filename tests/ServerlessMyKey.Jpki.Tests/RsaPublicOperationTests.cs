using System.Numerics;
using System.Security.Cryptography;
using CsCheck;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>
/// RSAVP1 through libcrypto's big numbers and the Montgomery contexts <see cref="MontgomeryFields"/> fills, against
/// <see cref="BigInteger.ModPow"/> as the oracle: every modulus length the fast path takes (256–512 octets, any top
/// octet, so 2041–4096 bits, odd word counts included), the edge values s = 0, 1, 2, n − 1 and s with leading zero
/// octets, keys alternating on one thread (the thread's scratch refilled) and on several threads at once.
/// Then keys of odd bit lengths (BouncyCastle) verified like the platform verifies them.
/// </summary>
public sealed class RsaPublicOperationTests
{
    private static readonly byte[] Exponent65537 = [0x01, 0x00, 0x01];

    [Fact]
    public void Recovers_what_modpow_gives_for_every_modulus_length_top_octet_and_edge_value()
    {
        var cases = Gen.Select(Gen.Int[256, 512], Gen.Byte[1, 255], Gen.Int[0, 6], Gen.Int[0, int.MaxValue]);
        cases.SampleSeeded(
            (length, top, kind, seed) =>
            {
                var random = new Random(seed);
                var modulus = new byte[length];
                random.NextBytes(modulus);
                modulus[0] = top;
                modulus[^1] |= 1;
                var key = new RsaPublicKey(modulus, Exponent65537);
                Assert.False(key.UsesPlatform);
                var n = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
                var s = kind switch
                {
                    0 => BigInteger.Zero,
                    1 => BigInteger.One,
                    2 => new BigInteger(2),
                    3 => n - 1,
                    4 => n - 2,
                    5 => new BigInteger(RandomBytes(random, random.Next(1, length)), isUnsigned: true, isBigEndian: true), // leading zero octets
                    _ => new BigInteger(RandomBytes(random, length + 8), isUnsigned: true, isBigEndian: true) % n,
                };
                var signature = Pad(s, length);
                var recovered = new byte[length];
                return key.TryRecover(signature, recovered)
                    && recovered.AsSpan().SequenceEqual(Pad(BigInteger.ModPow(s, 65537, n), length));
            },
            iter: 1500);
    }

    [Fact]
    public void Refuses_signatures_at_or_above_the_modulus_and_of_another_length()
    {
        var random = new Random(16);
        foreach (var length in (int[])[256, 257, 300, 384, 511, 512])
        {
            var modulus = RandomBytes(random, length);
            modulus[0] = (byte)(length % 2 == 0 ? 0xC3 : 0x01);
            modulus[^1] |= 1;
            var key = new RsaPublicKey(modulus, Exponent65537);
            var n = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
            var recovered = new byte[length];
            Assert.False(key.TryRecover(modulus, recovered), "s = n");
            Assert.False(key.TryRecover(Pad(n + 1, length), recovered), "s = n + 1");
            Assert.False(key.TryRecover(Enumerable.Repeat((byte)0xFF, length).ToArray(), recovered), "s = 2^8k − 1");
            Assert.False(key.TryRecover([0x00, .. Pad(n - 1, length)], recovered), "n − 1 with a leading zero octet");
            Assert.False(key.TryRecover(Pad(n - 1, length)[1..], recovered), "n − 1 without its first octet");
            Assert.True(key.TryRecover(Pad(n - 1, length), recovered), "s = n − 1");
        }
    }

    [Fact]
    public void One_time_contexts_on_several_threads_at_once_recover_what_modpow_gives()
    {
        var moduli = Enumerable.Range(0, 24).Select(i =>
        {
            var modulus = RandomBytes(new Random(i), 256 + (i * 11 % 257));
            modulus[0] |= (byte)(1 << (i % 8));
            modulus[^1] |= 1;
            return modulus;
        }).ToArray();
        Parallel.For(0, 2400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var modulus = moduli[i % moduli.Length];
            var n = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
            var s = new BigInteger(RandomBytes(new Random(i), modulus.Length + 8), isUnsigned: true, isBigEndian: true) % n;
            var recovered = new byte[modulus.Length];
            Assert.True(new RsaPublicKey(modulus, Exponent65537).TryRecover(Pad(s, modulus.Length), recovered));
            Assert.Equal(Pad(BigInteger.ModPow(s, 65537, n), modulus.Length), recovered);
        });
    }

    [Theory]
    [InlineData(2041)]
    [InlineData(2047)]
    [InlineData(2049)]
    [InlineData(2050)]
    [InlineData(2113)]
    [InlineData(3073)]
    public void A_key_of_an_odd_bit_length_verifies_like_the_platform(int bits)
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(Org.BouncyCastle.Math.BigInteger.ValueOf(65537), new SecureRandom(), bits, 20));
        var pair = generator.GenerateKeyPair();
        var publicKey = (RsaKeyParameters)pair.Public;
        var modulus = publicKey.Modulus.ToByteArrayUnsigned();
        var engine = new RsaEngine();
        engine.Init(true, pair.Private);
        using var platform = RSA.Create(new RSAParameters { Modulus = modulus, Exponent = Exponent65537 });
        var fast = new RsaPublicKey(modulus, Exponent65537);
        Assert.False(fast.UsesPlatform);

        var digest = SHA256.HashData(BitConverter.GetBytes(bits));
        var encoded = new byte[modulus.Length];
        Assert.True(EmsaPkcs1V15.TryEncode(HashAlgorithmName.SHA256, digest, encoded));
        var signature = Pad(new BigInteger(engine.ProcessBlock(encoded, 0, encoded.Length), isUnsigned: true, isBigEndian: true), modulus.Length);

        Assert.True(platform.VerifyHash(digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.True(fast.VerifyHash(digest, signature, HashAlgorithmName.SHA256));
        for (var i = 0; i < 64; i++)
        {
            var corrupted = (byte[])signature.Clone();
            corrupted[i * 37 % corrupted.Length] ^= (byte)(1 << (i % 8));
            Assert.Equal(
                platform.VerifyHash(digest, corrupted, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                fast.VerifyHash(digest, corrupted, HashAlgorithmName.SHA256));
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Pad(BigInteger value, int length)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (value.IsZero)
        {
            bytes = [];
        }

        return bytes.Length >= length ? bytes : [.. new byte[length - bytes.Length], .. bytes];
    }
}
