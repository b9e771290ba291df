using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Benchmarks;

/// <summary>
/// A whole login verification — parse, chain to the pinned root, CRL lookup in a 1,000,000-entry
/// CRL, challenge signature — beside one raw RSA-2048 verification, in the same run. "First seen" runs
/// a verifier without certificate cache (<c>Jpki:CertificateCacheSize=0</c>), so every verification
/// pays what a certificate never seen before pays: the chain signature and the import of the card's
/// key. "Repeat" is the default verifier after the certificate's first login.
/// </summary>
public class VerificationBenchmarks
{
    private readonly byte[] _challenge = RandomNumberGenerator.GetBytes(32);
    private byte[] _certificate = [];
    private byte[] _signature = [];
    private byte[] _digest = [];
    private RSA _publicKey = null!;
    private RSAParameters _cardKey;
    private JpkiCertificateVerifier _verifier = null!;
    private JpkiCertificateVerifier _uncached = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new JpkiOptions { Revocation = new() { CrlFiles = ["memory"] } };
        var anchors = JpkiTrustAnchors.Create([DevelopmentPki.AuthenticationRoot.ToAnchor()]);
        var clock = new FixedClock(DevelopmentPki.Now);
        var revocation = new CrlRevocationChecker([new MemoryCrlSource(CrlSamples.Write(1_000_000))], anchors, clock, options);
        _verifier = new JpkiCertificateVerifier(anchors, revocation, clock, options);
        _uncached = new JpkiCertificateVerifier(anchors, revocation, clock, options with { CertificateCacheSize = 0 });
        _certificate = DevelopmentPki.Issue(LeafSpec.Authentication());
        _signature = TestKeys.Card.SignData(_challenge, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _digest = SHA256.HashData(_challenge);
        _cardKey = TestKeys.Card.ExportParameters(includePrivateParameters: false);
        _publicKey = RSA.Create(_cardKey);
        if (!LoginFirstSeen().GetAwaiter().GetResult() || !LoginRepeat().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The baseline login does not verify.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool RawRsa2048Verify() => _publicKey.VerifyHash(_digest, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark]
    public Task<bool> LoginFirstSeen() => Login(_uncached);

    [Benchmark]
    public Task<bool> LoginRepeat() => Login(_verifier);

    /// <summary>The certificate checks alone: parse, policy, profile, chain (one RSA verification with the root's key, imported once), validity, CRL lookup.</summary>
    [Benchmark]
    public async Task<bool> CertificateOnlyFirstSeen() => (await _uncached.VerifyAsync(_certificate, JpkiCertificateKind.Authentication)).Succeeded;

    /// <summary>As <see cref="CertificateOnlyFirstSeen"/> with the chain result remembered.</summary>
    [Benchmark]
    public async Task<bool> CertificateOnlyRepeat() => (await _verifier.VerifyAsync(_certificate, JpkiCertificateKind.Authentication)).Succeeded;

    /// <summary>
    /// The challenge signature with a card key never seen before, as the verifier now checks it: no import,
    /// <c>s^65537 mod n</c> in libcrypto's big numbers and the rebuilt EMSA-PKCS1-v1_5 encoding compared
    /// (<see cref="RsaPublicKey"/>).
    /// </summary>
    [Benchmark]
    public bool FirstSeenKeyVerify() => new RsaPublicKey(_cardKey.Modulus, _cardKey.Exponent).VerifyHash(_digest, _signature, HashAlgorithmName.SHA256);

    /// <summary>Importing the card's public key into the platform's RSA, which the signature check did once per certificate before.</summary>
    [Benchmark]
    public int ImportCardKey()
    {
        using var key = RSA.Create(_cardKey);
        return key.KeySize;
    }

    private async Task<bool> Login(JpkiCertificateVerifier verifier)
    {
        var certificate = await verifier.VerifyAsync(_certificate, JpkiCertificateKind.Authentication);
        return certificate.Succeeded && verifier.VerifySignature(certificate.Value, _challenge, _signature).Succeeded;
    }
}
