using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Verification;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>CheckStatusAsync (生存確認 / 現況確認): one case per status and reason.</summary>
public sealed class CertificateStatusTests : IDisposable
{
    private readonly VerifierHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(JpkiCertificateKind.Signing)]
    [InlineData(JpkiCertificateKind.Authentication)]
    public async Task Valid_certificates_of_either_kind_are_good(JpkiCertificateKind kind)
    {
        var status = await _harness.Verifier.CheckStatusAsync(Issue(LeafSpec.For(kind)));
        Assert.Equal(JpkiCertificateState.Good, status.State);
        Assert.Equal(kind, status.Kind);
        Assert.Equal("crl", status.Source);
    }

    [Fact]
    public async Task Revoked_even_after_expiry_reports_the_revocation_and_reason()
    {
        var spec = LeafSpec.Signing() with { NotAfter = Now.AddDays(-1) };
        _harness.PublishCrl(SigningRoot, Crl(SigningRoot, Now.AddHours(-1), Now.AddDays(1), [(spec.Serial, X509RevocationReason.AffiliationChanged)]));
        var status = await _harness.Verifier.CheckStatusAsync(Issue(spec));
        Assert.Equal(JpkiCertificateState.Revoked, status.State);
        Assert.Equal("affiliationChanged", status.Reason);
        Assert.Equal(Now.AddHours(-2), status.RevokedAt);
    }

    [Fact]
    public async Task Expired_and_not_listed_is_expired() =>
        Assert.Equal(JpkiCertificateState.Expired, (await _harness.Verifier.CheckStatusAsync(Issue(LeafSpec.Signing() with { NotAfter = Now.AddDays(-1) }))).State);

    [Fact]
    public async Task No_revocation_data_is_unknown_revocation_unavailable()
    {
        using var harness = new VerifierHarness(writeCrls: false);
        var status = await harness.Verifier.CheckStatusAsync(Issue(LeafSpec.Signing()));
        Assert.Equal(JpkiCertificateState.Unknown, status.State);
        Assert.Equal("revocation_unavailable", status.Reason);
    }

    [Fact]
    public async Task Untrusted_profile_invalid_and_malformed_are_unknown_with_the_code()
    {
        Assert.Equal("certificate_untrusted", (await _harness.Verifier.CheckStatusAsync(Issue(LeafSpec.Signing() with { SigningKey = TestKeys.Impostor }))).Reason);
        Assert.Equal("certificate_profile_invalid", (await _harness.Verifier.CheckStatusAsync(Issue(LeafSpec.Signing() with { KeyUsage = X509KeyUsageFlags.DigitalSignature }))).Reason);
        Assert.Equal("certificate_malformed", (await _harness.Verifier.CheckStatusAsync(new byte[] { 0x30, 0x00 })).Reason);
    }
}
