using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Tests.TestPki;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>A valid certificate of each kind, then one mutation per test with the exact code it must give.</summary>
public sealed class CertificateVerifierTests : IDisposable
{
    private readonly VerifierHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(JpkiCertificateKind.Authentication)]
    [InlineData(JpkiCertificateKind.Signing)]
    public async Task Baseline_verifies_with_its_kind_serial_issuer_and_revocation(JpkiCertificateKind kind)
    {
        var spec = LeafSpec.For(kind);

        var verified = JpkiAssert.Succeeds(await _harness.VerifyAsync(spec));

        Assert.Equal(kind, verified.Kind);
        Assert.Equal(Convert.ToHexString(spec.Serial), verified.SerialNumber);
        Assert.Equal(Root(kind).Fingerprint, verified.Issuer.Fingerprint);
        Assert.Equal(Convert.ToHexStringLower(Root(kind).KeyIdentifier), verified.Issuer.KeyIdentifier);
        Assert.Equal(spec.NotBefore, verified.NotBefore);
        Assert.Equal(spec.NotAfter, verified.NotAfter);
        Assert.Equal(RevocationState.Good, verified.Revocation.State);
        Assert.Equal("crl", verified.Revocation.Source);
        Assert.Equal(Now, verified.Revocation.CheckedAt);
        Assert.Equal(kind == JpkiCertificateKind.Signing, !verified.Certificate.SubjectAlternativeName.IsEmpty);
    }

    [Fact]
    public async Task Garbage_bytes_are_malformed()
    {
        var result = await _harness.Verifier.VerifyAsync("not a certificate"u8.ToArray(), JpkiCertificateKind.Authentication);

        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, result);
    }

    [Fact]
    public async Task Truncated_der_is_malformed()
    {
        var der = Issue(LeafSpec.Authentication());

        var result = await _harness.Verifier.VerifyAsync(der.AsMemory(0, der.Length - 1), JpkiCertificateKind.Authentication);

        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, result);
    }

    [Fact]
    public async Task Trailing_bytes_after_the_certificate_are_malformed()
    {
        byte[] der = [.. Issue(LeafSpec.Authentication()), 0x00];

        var result = await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication);

        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, result);
    }

    [Fact]
    public async Task Pem_instead_of_der_is_malformed()
    {
        var pem = System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", Issue(LeafSpec.Authentication())));

        var result = await _harness.Verifier.VerifyAsync(pem, JpkiCertificateKind.Authentication);

        JpkiAssert.Fails(JpkiErrorCode.CertificateMalformed, result);
    }

    [Fact]
    public async Task Signing_certificate_offered_for_login_is_wrong_kind()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Signing(), JpkiCertificateKind.Authentication);

        JpkiAssert.Fails(JpkiErrorCode.CertificateWrongKind, result);
    }

    [Fact]
    public async Task Authentication_certificate_offered_for_a_signature_is_wrong_kind()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication(), JpkiCertificateKind.Signing);

        JpkiAssert.Fails(JpkiErrorCode.CertificateWrongKind, result);
    }

    [Fact]
    public async Task Root_with_the_same_dn_but_another_key_is_untrusted()
    {
        var impostor = TestRoot.Create(JpkiCertificateKind.Authentication, TestKeys.Impostor, AuthenticationRoot.Name, Now.AddYears(-1), Now.AddYears(10));

        var result = await _harness.VerifyAsync(LeafSpec.Authentication(impostor));

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, result);
    }

    [Fact]
    public async Task Naming_a_trusted_root_key_but_signed_by_another_key_is_untrusted()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { SigningKey = TestKeys.Impostor });

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, result);
    }

    [Fact]
    public async Task Issued_by_the_root_of_the_other_purpose_is_untrusted()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication(SigningRoot));

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, result);
    }

    [Fact]
    public async Task Certificate_without_a_jpki_policy_is_untrusted()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { Policies = ["2.23.140.1.2.1"] });

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, result);
    }

    [Fact]
    public async Task Test_card_policy_is_untrusted_unless_test_roots_are_allowed()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Signing() with { Policies = [TestSigningPolicy] });

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, result);
    }

    [Fact]
    public async Task Issued_before_its_root_was_valid_is_untrusted()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { NotBefore = Now.AddYears(-1).AddDays(-1) });

        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, result);
    }

    [Fact]
    public async Task Expired_certificate_is_expired()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { NotAfter = Now.AddDays(-1) });

        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, result);
    }

    [Fact]
    public async Task Not_yet_valid_certificate_is_expired()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { NotBefore = Now.AddDays(1) });

        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, result);
    }

    [Fact]
    public async Task Expiry_within_the_clock_skew_is_accepted()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { NotAfter = Now - _harness.Options.ClockSkew });

        JpkiAssert.Succeeds(result);
    }

    [Fact]
    public async Task Expiry_one_second_beyond_the_clock_skew_is_expired()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { NotAfter = Now - _harness.Options.ClockSkew - TimeSpan.FromSeconds(1) });

        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, result);
    }

    [Fact]
    public async Task Start_within_the_clock_skew_is_accepted()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { NotBefore = Now + _harness.Options.ClockSkew });

        JpkiAssert.Succeeds(result);
    }

    [Fact]
    public async Task Start_one_second_beyond_the_clock_skew_is_expired()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { NotBefore = Now + _harness.Options.ClockSkew + TimeSpan.FromSeconds(1) });

        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, result);
    }

    [Fact]
    public async Task Rsa_1024_key_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { Key = TestKeys.Rsa1024 });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Rsa_exponent_other_than_65537_breaks_the_profile()
    {
        var modulus = TestKeys.Card.ExportParameters(false).Modulus!;

        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { PublicKey = RsaPublicKey(modulus, [0x03]) });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Ecdsa_key_breaks_the_profile()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { Key = key });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Ca_true_leaf_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { BasicConstraintsCa = true });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Basic_constraints_without_ca_is_accepted()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { BasicConstraintsCa = false });

        JpkiAssert.Succeeds(result);
    }

    [Fact]
    public async Task Authentication_policy_with_signing_key_usage_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Signing_policy_without_non_repudiation_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Signing() with { KeyUsage = X509KeyUsageFlags.DigitalSignature });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Key_usage_with_key_encipherment_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Non_critical_key_usage_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { KeyUsageCritical = false });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Missing_key_usage_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { KeyUsage = null });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Policies_of_both_kinds_break_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { Policies = [AuthenticationPolicy, SigningPolicy] });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Missing_authority_key_identifier_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { OmitAuthorityKeyIdentifier = true });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Unknown_critical_extension_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { ExtraExtensions = [new X509Extension("1.3.6.1.4.1.55555.1", [0x05, 0x00], critical: true)] });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }

    [Fact]
    public async Task Certificate_signed_with_sha1_breaks_the_profile()
    {
        var result = await _harness.VerifyAsync(LeafSpec.Authentication() with { Hash = HashAlgorithmName.SHA1 });

        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, result);
    }
}
