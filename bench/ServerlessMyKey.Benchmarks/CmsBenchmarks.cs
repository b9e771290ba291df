using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Benchmarks;

/// <summary>
/// CMS SignedData verification (issue #4 item 7) as <c>POST /api/signatures/verifications</c> does it:
/// parse the SignedData, one signer, SHA-256 messageDigest over the content, the signature over the
/// signed attributes, the signing certificate (JPKI profile, chain to the pinned root, validity, lookup
/// in a 1,000,000-entry CRL). Single-threaded, so 1 / mean is the rate of one core. "First seen" uses
/// a verifier without certificate cache; "repeat" the default one after the certificate's first use.
/// </summary>
public class CmsBenchmarks
{
    private readonly byte[] _content = RandomNumberGenerator.GetBytes(4096);
    private byte[] _detached = [];
    private byte[] _attached = [];
    private byte[] _signature = [];
    private byte[] _digest = [];
    private RSA _publicKey = null!;
    private JpkiCmsVerifier _verifier = null!;
    private JpkiCmsVerifier _uncached = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new JpkiOptions { Revocation = new() { CrlFiles = ["memory"] } };
        var anchors = JpkiTrustAnchors.Create([DevelopmentPki.SigningRoot.ToAnchor()]);
        var clock = new FixedClock(DevelopmentPki.Now);
        var revocation = new CrlRevocationChecker([new MemoryCrlSource(CrlSamples.Write(1_000_000, DevelopmentPki.SigningRoot))], anchors, clock, options);
        _verifier = new JpkiCmsVerifier(new JpkiCertificateVerifier(anchors, revocation, clock, options));
        _uncached = new JpkiCmsVerifier(new JpkiCertificateVerifier(anchors, revocation, clock, options with { CertificateCacheSize = 0 }));

        var spec = LeafSpec.Signing();
        var certificate = X509CertificateLoader.LoadCertificate(DevelopmentPki.Issue(spec)).CopyWithPrivateKey((RSA)spec.Key);
        _detached = Sign(certificate, detached: true);
        _attached = Sign(certificate, detached: false);
        _digest = SHA256.HashData(_content);
        _signature = ((RSA)spec.Key).SignHash(_digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _publicKey = RSA.Create(((RSA)spec.Key).ExportParameters(includePrivateParameters: false));
        if (!DetachedFirstSeen().GetAwaiter().GetResult() || !DetachedRepeat().GetAwaiter().GetResult() || !AttachedRepeat().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The baseline CMS does not verify.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool RawRsa2048Verify() => _publicKey.VerifyHash(_digest, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark]
    public async Task<bool> DetachedFirstSeen() => (await _uncached.VerifyAsync(_detached, _content)).Succeeded;

    [Benchmark]
    public async Task<bool> DetachedRepeat() => (await _verifier.VerifyAsync(_detached, _content)).Succeeded;

    [Benchmark]
    public async Task<bool> AttachedRepeat() => (await _verifier.VerifyAsync(_attached, null)).Succeeded;

    /// <summary>
    /// What the verifier decoded with <c>SignedCms</c> before (issue #16): the container, the signer's certificate
    /// from the bag, its signed attributes (messageDigest, signingTime). No certificate or signature checks.
    /// </summary>
    [Benchmark]
    public int DecodeWithSignedCms()
    {
        var signed = new SignedCms(new ContentInfo(_content), detached: true);
        signed.Decode(_detached);
        var signer = signed.SignerInfos[0];
        var count = signer.Certificate!.RawData.Length;
        foreach (var attribute in signer.SignedAttributes)
        {
            if (attribute.Oid.Value == "1.2.840.113549.1.9.5")
            {
                count += new Pkcs9SigningTime(attribute.Values[0].RawData).SigningTime.Second;
            }
            else
            {
                count += attribute.Values[0].RawData.Length;
            }
        }

        return count;
    }

    /// <summary>The same with the decoder the verifier uses now (<see cref="CmsSignedData"/>): container, bag certificate parsed, signed attributes.</summary>
    [Benchmark]
    public int DecodeWithAsnReader()
    {
        var signed = CmsSignedData.Decode(_detached);
        var count = JpkiCertificate.Parse(signed.Certificates[0].Span).RawData.Length;
        foreach (var (_, values) in signed.Signers[0].ReadSignedAttributes())
        {
            count += values[0].Length;
        }

        return count;
    }

    private byte[] Sign(X509Certificate2 certificate, bool detached)
    {
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate)
        {
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"),
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        signer.SignedAttributes.Add(new Pkcs9SigningTime(DevelopmentPki.Now.AddHours(-1).UtcDateTime));
        var cms = new SignedCms(new ContentInfo(_content), detached);
        cms.ComputeSignature(signer);
        return cms.Encode();
    }
}
