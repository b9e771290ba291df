using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Corporate;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Testing;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>
/// 商業登記電子証明書-style certificates of a configured corporate CA: a valid baseline (anchor read
/// from a PEM file, a fresh CRL), then one mutation per test with its exact code.
/// </summary>
public sealed class CorporateVerifierTests : IDisposable
{
    private static readonly Lazy<TestRoot> CorporateCa = new(() => NewCa("電子認証登記所 (DEVELOPMENT)"));
    private static readonly Lazy<TestRoot> OtherCa = new(() => NewCa("Another corporate CA (DEVELOPMENT)"));

    private readonly string _folder = Directory.CreateTempSubdirectory("corporate-tests-").FullName;
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Certificate_of_the_configured_ca_verifies_and_carries_the_company_number()
    {
        var verifier = Verifier();
        var der = Issue(Leaf());

        var verified = JpkiAssert.Succeeds(await verifier.VerifyAsync(der));

        Assert.True(verifier.NamesCorporateIssuer(verified.Certificate));
        Assert.Equal("010001012345", CorporateCertificate.CompanyNumber(verified.Certificate));
        Assert.Equal(RevocationState.Good, verified.Revocation.State);
    }

    [Fact]
    public async Task Certificate_of_another_ca_is_untrusted()
    {
        var verifier = Verifier();
        var der = Issue(Leaf() with { Issuer = OtherCa.Value });

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, await verifier.VerifyAsync(der));
        Assert.False(verifier.NamesCorporateIssuer(JpkiCertificate.Parse(der)));
    }

    [Fact]
    public async Task No_configured_ca_disables_the_path()
    {
        var verifier = Verifier(anchors: []);
        var der = Issue(Leaf());

        Assert.False(verifier.IsEnabled);
        Assert.False(verifier.NamesCorporateIssuer(JpkiCertificate.Parse(der)));
        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, await verifier.VerifyAsync(der));
    }

    [Fact]
    public async Task Expired_certificate_is_refused()
    {
        var result = await Verifier().VerifyAsync(Issue(Leaf() with { NotBefore = Now.AddYears(-2), NotAfter = Now.AddDays(-1) }));

        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, result);
    }

    [Fact]
    public async Task Key_usage_without_digital_signature_or_non_repudiation_is_refused()
    {
        var result = await Verifier().VerifyAsync(Issue(Leaf() with { KeyUsage = X509KeyUsageFlags.KeyEncipherment }));

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Certificate_marked_as_a_ca_is_refused()
    {
        var result = await Verifier().VerifyAsync(Issue(Leaf() with { BasicConstraintsCa = true }));

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Certificate_without_a_company_number_is_refused()
    {
        var result = await Verifier().VerifyAsync(Issue(Leaf() with { Subject = Subject(companyNumber: null) }));

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Unsigned_certificate_with_a_subject_that_is_no_name_is_untrusted()
    {
        // The subject is attacker-chosen bytes until the CA's signature is checked: it is read only after.
        var result = await Verifier().VerifyAsync(CertificateSurgery.WithSubject(Issue(Leaf()), CertificateSurgery.NotAName, TestKeys.Impostor));

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, result);
    }

    [Fact]
    public async Task Signed_certificate_with_a_subject_that_is_no_name_is_profile_invalid()
    {
        var result = await Verifier().VerifyAsync(CertificateSurgery.WithSubject(Issue(Leaf()), CertificateSurgery.NotAName, CorporateCa.Value.Key));

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Certificate_listed_in_the_cas_crl_is_revoked()
    {
        var leaf = Leaf();
        var result = await Verifier(revoked: leaf.Serial).VerifyAsync(Issue(leaf));

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, result);
    }

    [Fact]
    public async Task No_crl_configured_fails_closed()
    {
        var result = await Verifier(withCrl: false).VerifyAsync(Issue(Leaf()));

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public void Anchor_file_that_is_not_a_ca_is_refused_naming_the_setting()
    {
        var path = Path.Combine(_folder, "leaf.pem");
        File.WriteAllText(path, PemEncoding.WriteString("CERTIFICATE", Issue(Leaf())));

        var error = Assert.Throws<JpkiConfigurationException>(() => JpkiTrustAnchors.LoadFiles([path], "Delegation:DelegatorTrustAnchors"));

        Assert.Contains("Delegation:DelegatorTrustAnchors", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A representative's certificate: no JPKI policy or 基本4情報, a 会社法人等番号 in the subject.</summary>
    private static LeafSpec Leaf() => new()
    {
        Kind = JpkiCertificateKind.Authentication, // adds no JPKI extras (SAN, CPS) to the certificate
        Issuer = CorporateCa.Value,
        KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
        Subject = Subject("010001012345"),
    };

    private static X500DistinguishedName Subject(string? companyNumber)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName("代表取締役 鈴木一郎");
        if (companyNumber is not null)
        {
            builder.Add(new Oid("2.5.4.5"), companyNumber, UniversalTagNumber.PrintableString);
        }

        builder.AddOrganizationName("株式会社サンプル");
        builder.AddCountryOrRegion("JP");
        return builder.Build();
    }

    private CorporateCertificateVerifier Verifier(IReadOnlyList<TestRoot>? anchors = null, bool withCrl = true, byte[]? revoked = null)
    {
        var roots = anchors ?? [CorporateCa.Value];
        var files = roots.Select((root, i) =>
        {
            var path = Path.Combine(_folder, $"ca-{i}.pem");
            File.WriteAllText(path, PemEncoding.WriteString("CERTIFICATE", root.Der));
            return path;
        }).ToList();
        var crls = new List<ICrlSource>();
        if (withCrl)
        {
            var path = Path.Combine(_folder, "ca.crl");
            VerifierHarness.WriteCrl(path, Crl(CorporateCa.Value, Now.AddHours(-1), Now.AddDays(1), revoked is null ? null : [(revoked, X509RevocationReason.CessationOfOperation)]));
            crls.Add(new FileCrlSource(path));
        }

        var set = JpkiTrustAnchors.LoadFiles(files, "Delegation:DelegatorTrustAnchors");
        var options = new JpkiOptions();
        return new CorporateCertificateVerifier(set, new CrlRevocationChecker(crls, set, _time, options), _time, options.ClockSkew);
    }

    private static TestRoot NewCa(string name)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName(name);
        builder.AddCountryOrRegion("JP");
        return TestRoot.Create(JpkiCertificateKind.Signing, RSA.Create(2048), builder.Build(), Now.AddYears(-5), Now.AddYears(5));
    }
}
