using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Jpki.Hpki;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;
using ServerlessMyKey.Testing.Hpki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>
/// HPKI signing certificates of an HPKI-shaped CA built in code: a valid doctor's certificate (anchor from a
/// PEM file, a fresh CRL), then one mutation per test with its exact code.
/// </summary>
public sealed class HpkiVerifierTests : IDisposable
{
    private static readonly Lazy<HpkiTestCa> Ca = new(() => new HpkiTestCa());
    private static readonly Lazy<HpkiTestCa> OtherCa = new(() => new HpkiTestCa("Another HPKI CA (TEST ONLY)"));

    private readonly string _folder = Directory.CreateTempSubdirectory("hpki-tests-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Doctors_certificate_verifies_with_its_hc_role_name_and_birth_date()
    {
        var doctor = Ca.Value.Issue();

        var verified = JpkiAssert.Succeeds(await Verifier().VerifyAsync(doctor.Certificate.RawData));

        Assert.Equal("Medical Doctor", verified.HcRole);
        Assert.Equal("佐藤　健一", verified.Name);
        Assert.Equal(new DateOnly(1975, 5, 20), verified.DateOfBirth);
        Assert.Equal(RevocationState.Good, verified.Certificate.Revocation.State);
    }

    [Fact]
    public async Task Hc_role_read_from_the_configured_attribute_and_scheme()
    {
        var profile = new HpkiProfileOptions { HcRoleAttributeOid = "1.2.3.4.5", RoleCodingSchemeOid = "1.2.3.4.6", Roles = ["Pharmacist"] };
        var pharmacist = Ca.Value.Issue(new HpkiLeaf { HcRole = "Pharmacist", HcRoleAttribute = "1.2.3.4.5", RoleCodingScheme = "1.2.3.4.6" });

        Assert.Equal("Pharmacist", JpkiAssert.Succeeds(await Verifier(profile: profile).VerifyAsync(pharmacist.Certificate.RawData)).HcRole);
    }

    [Fact]
    public async Task Certificate_without_hc_role_is_refused()
    {
        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, await Verifier().VerifyAsync(Ca.Value.Issue(new HpkiLeaf { HcRole = null }).Certificate.RawData));
    }

    [Fact]
    public async Task Hc_role_outside_the_accepted_roles_is_refused()
    {
        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, await Verifier().VerifyAsync(Ca.Value.Issue(new HpkiLeaf { HcRole = "Wizard" }).Certificate.RawData));
    }

    [Fact]
    public async Task Hc_role_in_another_coding_scheme_is_refused()
    {
        var leaf = new HpkiLeaf { RoleCodingScheme = "1.2.392.999.1" };

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, await Verifier().VerifyAsync(Ca.Value.Issue(leaf).Certificate.RawData));
    }

    [Fact]
    public async Task Certificate_of_another_ca_is_untrusted()
    {
        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, await Verifier().VerifyAsync(OtherCa.Value.Issue().Certificate.RawData));
    }

    [Fact]
    public async Task No_configured_ca_trusts_nothing()
    {
        var verifier = Verifier(anchors: false);

        Assert.False(verifier.IsEnabled);
        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, await verifier.VerifyAsync(Ca.Value.Issue().Certificate.RawData));
    }

    [Fact]
    public async Task A_jpki_root_does_not_vouch_for_an_hpki_certificate()
    {
        // The JPKI signing root as the only HPKI anchor: a JPKI signing certificate is still not an HPKI one.
        var path = Path.Combine(_folder, "jpki-root.pem");
        File.WriteAllText(path, DevelopmentPki.SigningRoot.Certificate.ExportCertificatePem());
        var anchors = JpkiTrustAnchors.LoadFiles([path], "Medical:Hpki:TrustAnchors");
        var verifier = new HpkiCertificateVerifier(anchors, Revocation(anchors), _time, TimeSpan.FromMinutes(5), new HpkiProfileOptions());

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, await verifier.VerifyAsync(DevelopmentPki.Issue(LeafSpec.Signing())));
    }

    [Fact]
    public async Task Expired_certificate_is_refused()
    {
        var verifier = Verifier();
        var doctor = Ca.Value.Issue(new HpkiLeaf { NotAfter = DateTimeOffset.UtcNow.AddDays(1) });
        _time.Advance(TimeSpan.FromDays(2));

        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, await verifier.VerifyAsync(doctor.Certificate.RawData));
    }

    [Fact]
    public async Task Revoked_certificate_is_refused()
    {
        var doctor = Ca.Value.Issue();

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await Verifier(revoked: [doctor]).VerifyAsync(doctor.Certificate.RawData));
    }

    [Fact]
    public async Task No_crl_fails_closed()
    {
        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await Verifier(crl: false).VerifyAsync(Ca.Value.Issue().Certificate.RawData));
    }

    [Fact]
    public async Task Key_usage_without_signing_is_refused()
    {
        var leaf = new HpkiLeaf { KeyUsage = X509KeyUsageFlags.KeyEncipherment };

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, await Verifier().VerifyAsync(Ca.Value.Issue(leaf).Certificate.RawData));
    }

    [Fact]
    public async Task Certificate_marked_as_a_ca_is_refused()
    {
        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, await Verifier().VerifyAsync(Ca.Value.Issue(new HpkiLeaf { IsCa = true }).Certificate.RawData));
    }

    [Fact]
    public async Task Key_shorter_than_2048_bits_is_refused()
    {
        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, await Verifier().VerifyAsync(Ca.Value.Issue(new HpkiLeaf { KeySizeBits = 1024 }).Certificate.RawData));
    }

    [Fact]
    public async Task Configured_policy_is_required()
    {
        var profile = new HpkiProfileOptions { Policies = ["1.2.392.100495.1.5.1.1.1"] };

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, await Verifier(profile: profile).VerifyAsync(Ca.Value.Issue().Certificate.RawData));
        JpkiAssert.Succeeds(await Verifier(profile: profile).VerifyAsync(Ca.Value.Issue(new HpkiLeaf { Policy = "1.2.392.100495.1.5.1.1.1" }).Certificate.RawData));
    }

    [Fact]
    public async Task Garbage_is_malformed()
    {
        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, await Verifier().VerifyAsync(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }));
    }

    [Fact]
    public async Task Cms_signed_by_the_doctor_verifies_through_the_hpki_anchors()
    {
        var verifier = Verifier();
        var doctor = Ca.Value.Issue();
        var content = "処方箋 2026-11-29"u8.ToArray();
        var cms = doctor.SignCms(content);
        var hpkiCms = JpkiCmsVerifier.ForSigners(async (der, ct) =>
        {
            var result = await verifier.VerifyAsync(der, ct);
            return result.Succeeded ? JpkiResult<JpkiVerifiedCertificate>.Success(result.Value.Certificate) : JpkiResult<JpkiVerifiedCertificate>.Fail(result.Failure.Code, result.Failure.Detail);
        });

        JpkiAssert.Succeeds(await hpkiCms.VerifyAsync(cms, content));
        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, await hpkiCms.VerifyAsync(cms, "改ざん"u8.ToArray()));
    }

    private HpkiCertificateVerifier Verifier(bool anchors = true, bool crl = true, HpkiSigner[]? revoked = null, HpkiProfileOptions? profile = null)
    {
        var anchorPath = Path.Combine(_folder, "hpki-ca.pem");
        File.WriteAllText(anchorPath, Ca.Value.Certificate.ExportCertificatePem());
        var set = JpkiTrustAnchors.LoadFiles(anchors ? [anchorPath] : [], "Medical:Hpki:TrustAnchors");
        var crlPath = Path.Combine(_folder, "hpki-ca.crl");
        if (crl)
        {
            File.WriteAllBytes(crlPath, Ca.Value.Crl(revoked ?? []));
        }

        return new HpkiCertificateVerifier(set, Revocation(set, crl ? crlPath : null), _time, TimeSpan.FromMinutes(5), profile ?? new HpkiProfileOptions());
    }

    private CrlRevocationChecker Revocation(JpkiTrustAnchors anchors, string? crlPath = null) =>
        new(crlPath is null ? [] : [new FileCrlSource(crlPath)], anchors, _time, new JpkiOptions());
}
