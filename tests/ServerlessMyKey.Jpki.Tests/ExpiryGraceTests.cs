using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Verification;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>
/// The grace after expiry that only online insurance eligibility grants (3 months): accepted within it,
/// refused after it, refused without it (login), and never for a revoked certificate.
/// </summary>
public sealed class ExpiryGraceTests : IDisposable
{
    private static readonly ExpiryGrace ThreeMonths = ExpiryGrace.OfMonths(3);

    private readonly VerifierHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Expired_within_the_grace_verifies_and_says_when_it_expired()
    {
        var notAfter = Now.AddMonths(-3).AddDays(1);
        PublishCrlKeepingExpiredSince(notAfter.AddYears(-5));

        var verified = JpkiAssert.Succeeds(await VerifyAsync(LeafSpec.Authentication() with { NotBefore = Now.AddMonths(-6), NotAfter = notAfter }, ThreeMonths));

        Assert.Equal(notAfter, verified.ExpiredAt);
    }

    [Fact]
    public async Task Expired_within_the_grace_with_a_crl_keeping_expired_certificates_since_its_expiry_verifies()
    {
        var notAfter = Now.AddDays(-10);
        PublishCrlKeepingExpiredSince(notAfter);

        JpkiAssert.Succeeds(await VerifyAsync(LeafSpec.Authentication() with { NotBefore = Now.AddMonths(-6), NotAfter = notAfter }, ThreeMonths));
    }

    [Fact]
    public async Task Expired_within_the_grace_with_a_crl_that_may_drop_expired_certificates_is_revocation_unavailable()
    {
        // The harness's CRL has no expiredCertsOnCRL: a certificate revoked before it expired may be gone from it.
        var result = await VerifyAsync(LeafSpec.Authentication() with { NotBefore = Now.AddMonths(-6), NotAfter = Now.AddDays(-10) }, ThreeMonths);

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public async Task Expired_within_the_grace_with_a_crl_keeping_expired_certificates_only_since_later_is_revocation_unavailable()
    {
        var notAfter = Now.AddDays(-10);
        PublishCrlKeepingExpiredSince(notAfter.AddSeconds(1));

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication() with { NotBefore = Now.AddMonths(-6), NotAfter = notAfter }, ThreeMonths));
    }

    [Fact]
    public async Task Valid_certificate_with_a_crl_without_expired_certificates_verifies_as_before()
    {
        JpkiAssert.Succeeds(await VerifyAsync(LeafSpec.Authentication(), ThreeMonths));
        JpkiAssert.Succeeds(await _harness.VerifyAsync(LeafSpec.Authentication()));
    }

    [Fact]
    public async Task Expired_beyond_the_grace_is_expired()
    {
        var result = await VerifyAsync(LeafSpec.Authentication() with { NotBefore = Now.AddMonths(-6), NotAfter = Now.AddMonths(-3).AddDays(-1) }, ThreeMonths);

        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, result);
    }

    [Fact]
    public async Task Without_a_grace_the_same_certificate_is_expired()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { NotAfter = Now.AddDays(-1) });

        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, result);
    }

    [Fact]
    public async Task Valid_certificate_has_no_expiry_time()
    {
        Assert.Null(JpkiAssert.Succeeds(await VerifyAsync(LeafSpec.Authentication(), ThreeMonths)).ExpiredAt);
    }

    [Fact]
    public async Task Revoked_certificate_is_refused_within_the_grace()
    {
        var spec = LeafSpec.Authentication() with { NotAfter = Now.AddDays(-10) };
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now.AddMinutes(-1), Now.AddDays(1), [(spec.Serial, System.Security.Cryptography.X509Certificates.X509RevocationReason.KeyCompromise)]));

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await VerifyAsync(spec, ThreeMonths));
    }

    [Fact]
    public void Grace_is_bounded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpiryGrace.OfMonths(13));
        Assert.Equal(Now, ExpiryGrace.None.End(Now));
    }

    // A fresh CRL of the authentication root with expiredCertsOnCRL (2.5.29.60) = since, built in code.
    private void PublishCrlKeepingExpiredSince(DateTimeOffset since)
    {
        var value = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        value.WriteGeneralizedTime(since, omitFractionalSeconds: true);
        var extension = new System.Security.Cryptography.X509Certificates.X509Extension("2.5.29.60", value.Encode(), critical: false);
        _harness.PublishCrl(AuthenticationRoot, CrlWriter.Write(AuthenticationRoot, Now.AddMinutes(-1), Now.AddDays(1), [], extraExtensions: [extension]));
    }

    private ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyAsync(LeafSpec spec, ExpiryGrace grace) =>
        _harness.Verifier.VerifyAsync(Issue(spec), spec.Kind, grace);
}
