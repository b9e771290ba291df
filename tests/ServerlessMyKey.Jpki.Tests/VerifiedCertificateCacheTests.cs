using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Verification;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>
/// The verifier remembers, per certificate (SHA-256 of its TBSCertificate, with the signature compared), the
/// root that verified it and its key. Everything else is checked again on each verification.
/// </summary>
public sealed class VerifiedCertificateCacheTests : IDisposable
{
    private readonly VerifierHarness _harness = new();
    private readonly byte[] _challenge = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Repeat_verification_reuses_the_root_and_the_key()
    {
        var der = Issue(LeafSpec.Authentication());

        var first = JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
        JpkiAssert.Succeeds(_harness.Verifier.VerifySignature(first, _challenge, Sign(_challenge)));
        var second = JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));

        Assert.Same(first.Key, second.Key);
        Assert.Equal(second.Key.UsesPlatform, second.Key.IsImported); // the fast path imports nothing
        Assert.Same(first.Issuer, second.Issuer);
        Assert.Equal(1, _harness.Verifier.CachedCertificates);
        JpkiAssert.Succeeds(_harness.Verifier.VerifySignature(second, _challenge, Sign(_challenge)));
    }

    [Fact]
    public async Task Cached_certificate_still_expires()
    {
        var der = Issue(LeafSpec.Authentication() with { NotAfter = Now.AddHours(1) });
        JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));

        _harness.Time.Advance(TimeSpan.FromHours(2));

        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
    }

    [Fact]
    public async Task Cached_certificate_is_still_checked_for_revocation()
    {
        var spec = LeafSpec.Authentication();
        var der = Issue(spec);
        JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
        _harness.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, _harness.Time.GetUtcNow(), _harness.Time.GetUtcNow().AddDays(1), [(spec.Serial, X509RevocationReason.KeyCompromise)]));

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
    }

    [Fact]
    public async Task Cached_certificate_is_still_refused_for_the_other_kind()
    {
        var der = Issue(LeafSpec.Authentication());
        JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));

        JpkiAssert.Fails(JpkiErrorCode.CertificateWrongKind, await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Signing));
    }

    [Fact]
    public async Task Cached_key_still_refuses_bad_signatures()
    {
        var der = Issue(LeafSpec.Authentication());
        var certificate = JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
        JpkiAssert.Succeeds(_harness.Verifier.VerifySignature(certificate, _challenge, Sign(_challenge)));
        var tampered = Sign(_challenge);
        tampered[^1] ^= 0x01;

        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, _harness.Verifier.VerifySignature(certificate, _challenge, tampered));
        JpkiAssert.Fails(JpkiErrorCode.SignatureAlgorithmUnsupported, _harness.Verifier.VerifySignature(certificate, _challenge, Sign(_challenge, HashAlgorithmName.SHA1)));
        var other = TestKeys.OtherCard.SignData(_challenge, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, _harness.Verifier.VerifySignature(certificate, _challenge, other));
        JpkiAssert.Succeeds(_harness.Verifier.VerifySignature(certificate, _challenge, Sign(_challenge)));
    }

    [Fact]
    public async Task Same_contents_with_another_signature_value_are_verified_again()
    {
        var der = Issue(LeafSpec.Authentication());
        JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
        var resigned = der.ToArray();
        resigned[^1] ^= 0x01; // the last octet of the signature value: same TBSCertificate, same cache key

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, await _harness.Verifier.VerifyAsync(resigned, JpkiCertificateKind.Authentication));
        JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
        Assert.Equal(1, _harness.Verifier.CachedCertificates);
    }

    [Fact]
    public async Task Certificates_no_root_verified_are_not_remembered()
    {
        var forged = Issue(LeafSpec.Authentication() with { SigningKey = TestKeys.Impostor });

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, await _harness.Verifier.VerifyAsync(forged, JpkiCertificateKind.Authentication));
        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, await _harness.Verifier.VerifyAsync(new byte[] { 0x30, 0x00 }, JpkiCertificateKind.Authentication));

        Assert.Equal(0, _harness.Verifier.CachedCertificates);
    }

    [Fact]
    public async Task Cache_size_zero_remembers_nothing_and_still_verifies()
    {
        using var harness = new VerifierHarness(new JpkiOptions { CertificateCacheSize = 0 });
        var der = Issue(LeafSpec.Authentication());

        var first = JpkiAssert.Succeeds(await harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
        var second = JpkiAssert.Succeeds(await harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));

        Assert.NotSame(first.Key, second.Key);
        Assert.Equal(0, harness.Verifier.CachedCertificates);
        JpkiAssert.Succeeds(harness.Verifier.VerifySignature(second, _challenge, Sign(_challenge)));
    }

    [Fact]
    public async Task The_cache_is_bounded()
    {
        using var harness = new VerifierHarness(new JpkiOptions { CertificateCacheSize = 2 });
        var certificates = Enumerable.Range(0, 3).Select(_ => Issue(LeafSpec.Authentication())).ToArray();

        foreach (var der in certificates)
        {
            JpkiAssert.Succeeds(await harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
        }

        Assert.Equal(2, harness.Verifier.CachedCertificates);
    }

    [Fact]
    public async Task Concurrent_logins_of_one_card_all_verify()
    {
        var der = Issue(LeafSpec.Authentication());
        var signature = Sign(_challenge);

        // Loads the CRLs first: concurrent first requests on a cold CrlRevocationChecker are not what this tests.
        JpkiAssert.Succeeds(await _harness.VerifyAsync(LeafSpec.Authentication()));
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            var certificate = await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication);
            return certificate.Succeeded && _harness.Verifier.VerifySignature(certificate.Value, _challenge, signature).Succeeded;
        })));

        Assert.All(results, Assert.True);
        Assert.Equal(2, _harness.Verifier.CachedCertificates);
    }

    [Fact]
    public void Least_recently_used_entry_is_evicted_first()
    {
        var cache = new VerifiedCertificateCache(2);
        var anchor = _harness.Anchors.All[0];
        var key = JpkiCertificate.Parse(Issue(LeafSpec.Authentication())).CreateRsaPublicKey();
        var a = cache.Add("a", new(anchor, key, "", Array.Empty<byte>()));
        cache.Add("b", new(anchor, key, "", Array.Empty<byte>()));

        Assert.Same(a, cache.Get("a"));
        cache.Add("c", new(anchor, key, "", Array.Empty<byte>()));

        Assert.NotNull(cache.Get("a"));
        Assert.Null(cache.Get("b"));
        Assert.NotNull(cache.Get("c"));
        Assert.Same(a, cache.Add("a", new(anchor, key, "", Array.Empty<byte>())));
        Assert.Equal(2, cache.Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    public void Cache_size_out_of_range_is_a_configuration_problem(int size) =>
        Assert.Contains(new JpkiOptions { CertificateCacheSize = size }.Validate(), problem => problem.Contains("Jpki:CertificateCacheSize", StringComparison.Ordinal));

    private static byte[] Sign(byte[] data, HashAlgorithmName? hash = null) =>
        TestKeys.Card.SignData(data, hash ?? HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
}
