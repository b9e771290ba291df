using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

public sealed class TrustAnchorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jpki-anchors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // JPKI.md, "Trust anchors": generations 01 and 03, fingerprints and validity; key identifiers as openssl prints them.
    [Theory]
    [InlineData(JpkiCertificateKind.Signing, "19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355", "0d034cbb34d0714f45e45a1cafd8fd143fab54a7", "2015-10-20", "2025-10-19")]
    [InlineData(JpkiCertificateKind.Signing, "d227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f", "d21ea55895617e93adbf966b941ab4edf653f08f", "2023-07-16", "2033-07-15")]
    [InlineData(JpkiCertificateKind.Authentication, "4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d", "9567951b5ca70d84a0fff1d85a87f1aab1340385", "2015-10-20", "2025-10-19")]
    [InlineData(JpkiCertificateKind.Authentication, "64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5", "1ac100f596a3bc8c4b3df195e32699249e9e308a", "2023-07-16", "2033-07-15")]
    public void Bundled_production_roots_match_their_pinned_fingerprints(JpkiCertificateKind kind, string fingerprint, string keyIdentifier, string notBefore, string notAfter)
    {
        var anchors = JpkiTrustAnchors.Load(new JpkiOptions());

        var anchor = Assert.Single(anchors.All, a => a.Fingerprint == fingerprint);
        Assert.Equal(kind, anchor.Kind);
        Assert.Equal(keyIdentifier, anchor.KeyIdentifier);
        Assert.Equal(notBefore, anchor.NotBefore.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(notAfter, anchor.NotAfter.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith("bundled:", anchor.Source, StringComparison.Ordinal);
        Assert.False(anchor.IsTestRoot);
    }

    [Fact]
    public void Bundled_roots_are_exactly_the_four_pinned_ones()
    {
        var anchors = JpkiTrustAnchors.Load(new JpkiOptions());

        Assert.Equal(2, anchors.ForKind(JpkiCertificateKind.Authentication).Count);
        Assert.Equal(2, anchors.ForKind(JpkiCertificateKind.Signing).Count);
        Assert.Equal(BundledRoots.All.Select(r => r.PinnedSha256).Order(), anchors.All.Select(a => a.Fingerprint).Order());
    }

    [Fact]
    public void Without_bundled_roots_only_configured_roots_are_trusted()
    {
        var path = Write("auth.pem", PemEncoding.WriteString("CERTIFICATE", AuthenticationRoot.Der));

        var anchors = JpkiTrustAnchors.Load(new JpkiOptions { BundledRoots = false, TrustAnchors = new() { Authentication = [path] } });

        var anchor = Assert.Single(anchors.All);
        Assert.Equal(JpkiCertificateKind.Authentication, anchor.Kind);
        Assert.Equal(path, anchor.Source);
    }

    [Fact]
    public void Configured_roots_load_from_pem_and_der_files_next_to_the_bundled_ones()
    {
        var pem = Write("auth.pem", PemEncoding.WriteString("CERTIFICATE", AuthenticationRoot.Der));
        var der = Write("sign.cer", SigningRoot.Der);

        var anchors = JpkiTrustAnchors.Load(new JpkiOptions { TrustAnchors = new() { Authentication = [pem], Signing = [der] } });

        Assert.Contains(anchors.ForKind(JpkiCertificateKind.Authentication), a => a.Fingerprint == AuthenticationRoot.Fingerprint);
        Assert.Contains(anchors.ForKind(JpkiCertificateKind.Signing), a => a.Fingerprint == SigningRoot.Fingerprint);
        Assert.Equal(6, anchors.All.Count);
    }

    [Fact]
    public void Missing_root_file_fails_at_start_up_naming_the_key()
    {
        var options = new JpkiOptions { TrustAnchors = new() { Signing = [Path.Combine(_directory, "absent.pem")] } };

        var error = Assert.Throws<JpkiConfigurationException>(() => JpkiTrustAnchors.Load(options));

        Assert.Equal("Jpki:TrustAnchors:Signing", error.Key);
    }

    [Fact]
    public void End_entity_certificate_configured_as_a_root_fails_at_start_up()
    {
        var path = Write("leaf.cer", Issue(LeafSpec.Authentication()));

        var error = Assert.Throws<JpkiConfigurationException>(() =>
            JpkiTrustAnchors.Load(new JpkiOptions { TrustAnchors = new() { Authentication = [path] } }));

        Assert.Equal("Jpki:TrustAnchors:Authentication", error.Key);
    }

    [Fact]
    public void Test_hierarchy_root_is_refused_unless_test_roots_are_allowed()
    {
        var path = Write("test.pem", PemEncoding.WriteString("CERTIFICATE", TestHierarchyRoot().Der));

        var error = Assert.Throws<JpkiConfigurationException>(() =>
            JpkiTrustAnchors.Load(new JpkiOptions { TrustAnchors = new() { Signing = [path] } }));

        Assert.Equal("Jpki:AllowTestRoots", error.Key);
    }

    [Fact]
    public async Task Test_card_under_a_test_root_verifies_when_test_roots_are_allowed()
    {
        var testRoot = TestHierarchyRoot();
        using var harness = new VerifierHarness(new JpkiOptions { AllowTestRoots = true }, [testRoot]);

        var verified = JpkiAssert.Succeeds(await harness.VerifyAsync(LeafSpec.Signing(testRoot) with { Policies = [TestSigningPolicy] }));

        Assert.True(verified.Issuer.IsTestRoot);
        Assert.Equal(JpkiCertificateKind.Signing, verified.Kind);
    }

    [Fact]
    public async Task Configured_test_authentication_policy_classifies_when_test_roots_are_allowed()
    {
        const string testAuthenticationPolicy = "1.2.392.200149.8.5.1.0.30";
        var options = new JpkiOptions { AllowTestRoots = true, TestPolicies = new() { Authentication = [testAuthenticationPolicy] } };
        using var harness = new VerifierHarness(options);

        var result = await harness.VerifyAsync(LeafSpec.Authentication() with { Policies = [testAuthenticationPolicy] });

        JpkiAssert.Succeeds(result);
    }

    [Fact]
    public async Task Impostor_of_a_real_jpki_root_dn_is_untrusted()
    {
        var real = JpkiTrustAnchors.Load(new JpkiOptions());
        var realRoot = real.ForKind(JpkiCertificateKind.Authentication).Single(a => a.NotAfter.Year == 2033);
        var impostor = TestRoot.Create(
            JpkiCertificateKind.Authentication,
            TestKeys.Impostor,
            new X500DistinguishedName(realRoot.Certificate.Subject.ToArray()),
            new DateTimeOffset(2023, 7, 16, 2, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2033, 7, 15, 0, 0, 0, TimeSpan.Zero));
        var verifier = new JpkiCertificateVerifier(real, new NoRevocationChecker(TimeProvider.System), new FakeTimeProvider(Now), new JpkiOptions());

        // It names the real root's key identifier, so only the signature can tell them apart.
        var spec = LeafSpec.Authentication(impostor) with { AuthorityKeyIdentifier = Convert.FromHexString(realRoot.KeyIdentifier) };
        var result = await verifier.VerifyAsync(Issue(spec), JpkiCertificateKind.Authentication);

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, result);
    }

    private static TestRoot TestHierarchyRoot() =>
        TestRoot.Create(JpkiCertificateKind.Signing, TestKeys.TestHierarchyRoot, DevelopmentName(JpkiCertificateKind.Signing, organization: "JPKI-TEST"), Now.AddYears(-1), Now.AddYears(10));

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string Write(string name, string content) => Write(name, System.Text.Encoding.ASCII.GetBytes(content));
}
