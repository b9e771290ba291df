using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Verification;
using ServerlessMyKey.Jpki.Tests.TestPki;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>Revocation through CRL files: a fresh empty CRL per root is the baseline; one mutation per test.</summary>
public sealed class CrlRevocationTests : IDisposable
{
    private readonly VerifierHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Serial_listed_in_the_issuers_crl_is_revoked()
    {
        var spec = LeafSpec.Authentication();
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), [(spec.Serial, X509RevocationReason.KeyCompromise)]));

        var result = await _harness.VerifyAsync(spec);

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, result);
    }

    [Fact]
    public async Task Revocation_reports_reason_time_and_the_crl_it_came_from()
    {
        var spec = LeafSpec.Signing();
        _harness.PublishCrl(SigningRoot, Crl(SigningRoot, Now.AddHours(-1), Now.AddDays(1), [(spec.Serial, X509RevocationReason.AffiliationChanged)]));
        var certificate = JpkiCertificate.Parse(Issue(spec));
        var issuer = _harness.Anchors.ForKind(JpkiCertificateKind.Signing).Single();

        var status = await _harness.Revocation.CheckAsync(certificate, issuer);

        Assert.Equal(RevocationState.Revoked, status.State);
        Assert.Equal(X509RevocationReason.AffiliationChanged, status.Reason);
        Assert.Equal(Now.AddHours(-2), status.RevokedAt);
        Assert.Equal(Now.AddHours(-1), status.ProducedAt);
        Assert.Equal("crl", status.Source);
    }

    [Fact]
    public async Task Same_serial_revoked_by_the_other_root_does_not_count()
    {
        var spec = LeafSpec.Authentication();
        _harness.PublishCrl(SigningRoot, Crl(SigningRoot, Now.AddHours(-1), Now.AddDays(1), [(spec.Serial, X509RevocationReason.Superseded)]));

        var result = await _harness.VerifyAsync(spec);

        JpkiAssert.Succeeds(result);
    }

    [Fact]
    public async Task Stale_crl_makes_revocation_unavailable()
    {
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now.AddDays(-2), Now.AddDays(-1)));

        var result = await _harness.VerifyAsync(LeafSpec.Authentication());

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public async Task Crl_from_the_future_makes_revocation_unavailable()
    {
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now.AddHours(1), Now.AddDays(1)));

        var result = await _harness.VerifyAsync(LeafSpec.Authentication());

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public async Task Crl_signed_by_a_wrong_key_is_not_used()
    {
        var spec = LeafSpec.Authentication();
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), signingKey: TestKeys.Impostor));

        var result = await _harness.VerifyAsync(spec);

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
        Assert.Contains(_harness.Revocation.Status, s => s.Error == "The CRL is not signed by any trusted root.");
    }

    [Fact]
    public async Task Crl_of_a_root_with_the_same_dn_but_another_key_is_not_used()
    {
        var impostor = TestRoot.Create(JpkiCertificateKind.Authentication, TestKeys.Impostor, AuthenticationRoot.Name, Now.AddYears(-1), Now.AddYears(10));
        _harness.PublishCrl(AuthenticationRoot, Crl(impostor, Now.AddHours(-1), Now.AddDays(1)));

        var result = await _harness.VerifyAsync(LeafSpec.Authentication());

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public async Task Concurrent_first_checks_wait_for_the_cold_start_load_instead_of_failing()
    {
        using var harness = new VerifierHarness();
        var certificates = Enumerable.Range(0, 16).Select(_ => DevelopmentPki.Issue(LeafSpec.Authentication())).ToList();

        var results = await Task.WhenAll(certificates.Select(c => harness.Verifier.VerifyAsync(c, JpkiCertificateKind.Authentication).AsTask()));

        Assert.All(results, r => JpkiAssert.Succeeds(r));
    }

    [Fact]
    public async Task No_crl_makes_revocation_unavailable()
    {
        using var harness = new VerifierHarness(writeCrls: false);

        var result = await harness.VerifyAsync(LeafSpec.Authentication());

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public async Task Crl_of_the_other_purposes_root_only_makes_revocation_unavailable()
    {
        _harness.PublishCrl(AuthenticationRoot, Crl(SigningRoot, Now.AddHours(-1), Now.AddDays(1)));

        var result = await _harness.VerifyAsync(LeafSpec.Authentication());

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public async Task Pem_crl_is_read_like_der()
    {
        var spec = LeafSpec.Authentication();
        var crl = Crl(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), [(spec.Serial, null)]);
        VerifierHarness.WriteCrl(_harness.CrlPath(AuthenticationRoot), System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("X509 CRL", crl)));

        var result = await _harness.VerifyAsync(spec);

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, result);
    }

    [Fact]
    public async Task Replaced_crl_file_is_picked_up_on_demand()
    {
        var spec = LeafSpec.Authentication();
        JpkiAssert.Succeeds(await _harness.VerifyAsync(spec));
        _harness.Time.Advance(TimeSpan.FromSeconds(10));
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now, Now.AddDays(1), [(spec.Serial, X509RevocationReason.CessationOfOperation)]));

        await _harness.Revocation.RefreshAsync();

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await _harness.VerifyAsync(spec));
    }

    [Fact]
    public async Task Sources_are_not_asked_again_within_the_refresh_interval()
    {
        var spec = LeafSpec.Authentication();
        JpkiAssert.Succeeds(await _harness.VerifyAsync(spec));
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now, Now.AddDays(1), [(spec.Serial, X509RevocationReason.Unspecified)]));
        _harness.Time.Advance(TimeSpan.FromSeconds(30));

        var result = await _harness.VerifyAsync(spec);

        JpkiAssert.Succeeds(result);
    }

    [Fact]
    public async Task Request_after_the_crl_went_stale_waits_for_the_replaced_file()
    {
        var spec = LeafSpec.Authentication();
        JpkiAssert.Succeeds(await _harness.VerifyAsync(spec));
        _harness.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, _harness.Time.GetUtcNow(), _harness.Time.GetUtcNow().AddDays(1), [(spec.Serial, X509RevocationReason.KeyCompromise)]));

        var result = await _harness.VerifyAsync(spec);

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, result);
    }

    [Fact]
    public async Task Older_crl_does_not_replace_a_newer_one()
    {
        var spec = LeafSpec.Authentication();
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), [(spec.Serial, X509RevocationReason.KeyCompromise)]));
        await _harness.Revocation.RefreshAsync();
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now.AddHours(-2), Now.AddDays(1)));

        await _harness.Revocation.RefreshAsync();

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await _harness.VerifyAsync(spec));
    }

    [Fact]
    public async Task Corrupt_crl_keeps_the_last_good_one_and_reports_the_error()
    {
        var spec = LeafSpec.Authentication();
        _harness.PublishCrl(AuthenticationRoot, Crl(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), [(spec.Serial, X509RevocationReason.KeyCompromise)]));
        await _harness.Revocation.RefreshAsync();
        _harness.PublishCrl(AuthenticationRoot, [0x30, 0x03, 0x02, 0x01]);

        await _harness.Revocation.RefreshAsync();

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await _harness.VerifyAsync(spec));
        var status = Assert.Single(_harness.Revocation.Status, s => s.Source == _harness.CrlPath(AuthenticationRoot));
        Assert.StartsWith("The CRL is malformed", status.Error, StringComparison.Ordinal);
        Assert.Equal(AuthenticationRoot.Fingerprint, status.IssuerFingerprint);
    }

    [Fact]
    public void Revocation_mode_none_is_refused_outside_development()
    {
        var options = new JpkiOptions { Revocation = new() { Mode = RevocationMode.None } };

        var error = Assert.Throws<JpkiConfigurationException>(() =>
            RevocationCheckerFactory.Create(options, _harness.Anchors, _harness.Time, allowDevelopmentOnlyModes: false));

        Assert.Equal("Jpki:Revocation:Mode", error.Key);
    }

    [Fact]
    public async Task Revocation_mode_none_in_development_verifies_without_a_check()
    {
        var options = new JpkiOptions { Revocation = new() { Mode = RevocationMode.None } };
        var checker = RevocationCheckerFactory.Create(options, _harness.Anchors, _harness.Time, allowDevelopmentOnlyModes: true);
        var verifier = new Verification.JpkiCertificateVerifier(_harness.Anchors, checker, _harness.Time, options);

        var verified = JpkiAssert.Succeeds(await verifier.VerifyAsync(Issue(LeafSpec.Authentication()), JpkiCertificateKind.Authentication));

        Assert.Equal(RevocationState.NotChecked, verified.Revocation.State);
    }

    [Fact]
    public async Task Crl_mode_without_sources_fails_closed_with_revocation_unavailable()
    {
        // The app starts (health, other features) but accepts no certificate until CRLs are configured.
        var checker = RevocationCheckerFactory.Create(new JpkiOptions(), _harness.Anchors, _harness.Time, allowDevelopmentOnlyModes: false);
        var verifier = new JpkiCertificateVerifier(_harness.Anchors, checker, _harness.Time, _harness.Options);

        var result = await verifier.VerifyAsync(DevelopmentPki.Issue(LeafSpec.Authentication()), JpkiCertificateKind.Authentication);

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public void Blob_uri_without_a_registered_source_is_refused()
    {
        var options = new JpkiOptions { Revocation = new() { CrlFiles = ["https://account.blob.core.windows.net/crls/auth.crl"] } };

        var error = Assert.Throws<JpkiConfigurationException>(() =>
            RevocationCheckerFactory.Create(options, _harness.Anchors, _harness.Time, allowDevelopmentOnlyModes: false));

        Assert.Equal("Jpki:Revocation:CrlFiles", error.Key);
    }

    [Fact]
    public async Task Injected_source_reads_crls_from_anywhere()
    {
        var spec = LeafSpec.Authentication();
        var source = new MemoryCrlSource("memory:auth", Crl(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), [(spec.Serial, null)]));
        var options = new JpkiOptions { Revocation = new() { CrlFiles = ["memory:auth"] } };
        var checker = RevocationCheckerFactory.Create(options, _harness.Anchors, _harness.Time, allowDevelopmentOnlyModes: false, entry => entry == source.Name ? source : null);
        var verifier = new Verification.JpkiCertificateVerifier(_harness.Anchors, checker, _harness.Time, options);

        var result = await verifier.VerifyAsync(Issue(spec), JpkiCertificateKind.Authentication);

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, result);
    }

    private sealed class MemoryCrlSource(string name, byte[] content) : ICrlSource
    {
        public string Name => name;

        public Task<string?> GetVersionAsync(CancellationToken cancellationToken = default) => Task.FromResult<string?>("v1");

        public Task<Stream> OpenReadAsync(CancellationToken cancellationToken = default) => Task.FromResult<Stream>(new NonSeekableStream(content));
    }

    // Blob downloads are not seekable; the checker must cope.
    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
