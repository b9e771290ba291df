using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Tests.TestPki;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>CMS SignedData with a JPKI signing certificate: a valid baseline, then one change per test with its exact code.</summary>
public sealed class CmsVerifierTests : IDisposable
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("契約書 — CMS test content");
    private static readonly DateTimeOffset SigningTime = new(2025, 5, 31, 23, 0, 0, TimeSpan.Zero);
    private readonly VerifierHarness _harness = new();

    private JpkiCmsVerifier Verifier => new(_harness.Verifier);

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Baseline_detached_and_attached_verify(bool detached)
    {
        var signature = JpkiAssert.Succeeds(await Verifier.VerifyAsync(Sign(LeafSpec.Signing(), detached: detached), detached ? Content : null));
        Assert.Equal(SHA256.HashData(Content), signature.ContentSha256);
        Assert.Equal(detached, signature.Detached);
        Assert.Equal(new DateTimeOffset(2025, 5, 31, 23, 0, 0, TimeSpan.Zero), signature.SigningTime);
        Assert.Equal(JpkiCertificateKind.Signing, signature.Certificate.Kind);
    }

    [Fact]
    public async Task Other_content_is_signature_invalid() =>
        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, await Verifier.VerifyAsync(Sign(LeafSpec.Signing()), [.. Content, 0x20]));

    [Fact]
    public async Task A_tampered_signature_is_signature_invalid()
    {
        var cms = Sign(LeafSpec.Signing());
        var signed = new SignedCms(new ContentInfo(Content), detached: true);
        signed.Decode(cms);
        var signature = signed.SignerInfos[0].GetSignature();

        // Flip a bit of the signature value where it sits in the encoding.
        var at = cms.AsSpan().LastIndexOf(signature);
        cms[at + 10] ^= 1;
        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, await Verifier.VerifyAsync(cms, Content));
    }

    [Fact]
    public async Task A_signing_time_changed_after_signing_is_signature_invalid()
    {
        // The signed attributes are what the signature covers: move signingTime from 2025 to 2024 in place.
        var cms = Sign(LeafSpec.Signing());
        var at = cms.AsSpan().IndexOf("250531230000Z"u8);
        Assert.True(at > 0);
        cms[at + 1] = (byte)'4';
        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, await Verifier.VerifyAsync(cms, Content));
    }

    [Fact]
    public async Task Sha1_digest_is_signature_algorithm_unsupported() =>
        JpkiAssert.Fails(JpkiErrorCode.SignatureAlgorithmUnsupported, await Verifier.VerifyAsync(Sign(LeafSpec.Signing(), digest: "1.3.14.3.2.26"), Content));

    [Fact]
    public async Task Authentication_certificate_is_certificate_wrong_kind() =>
        JpkiAssert.Fails(JpkiErrorCode.CertificateWrongKind, await Verifier.VerifyAsync(Sign(LeafSpec.Authentication()), Content));

    [Fact]
    public async Task Certificate_signed_by_another_key_is_certificate_untrusted() =>
        JpkiAssert.Fails(JpkiErrorCode.CertificateUntrusted, await Verifier.VerifyAsync(Sign(LeafSpec.Signing() with { SigningKey = TestKeys.Impostor }), Content));

    [Fact]
    public async Task Wrong_key_usage_is_certificate_profile_invalid() =>
        JpkiAssert.Fails(JpkiErrorCode.CertificateProfileInvalid, await Verifier.VerifyAsync(Sign(LeafSpec.Signing() with { KeyUsage = X509KeyUsageFlags.DigitalSignature }), Content));

    [Fact]
    public async Task Expired_certificate_is_certificate_expired() =>
        JpkiAssert.Fails(JpkiErrorCode.CertificateExpired, await Verifier.VerifyAsync(Sign(LeafSpec.Signing() with { NotAfter = Now.AddDays(-1) }), Content));

    [Fact]
    public async Task Listed_certificate_is_certificate_revoked()
    {
        var spec = LeafSpec.Signing();
        _harness.PublishCrl(SigningRoot, Crl(SigningRoot, Now.AddHours(-1), Now.AddDays(1), [(spec.Serial, X509RevocationReason.AffiliationChanged)]));
        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await Verifier.VerifyAsync(Sign(spec), Content));
    }

    [Fact]
    public async Task No_crl_is_revocation_unavailable()
    {
        using var harness = new VerifierHarness(writeCrls: false);
        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await new JpkiCmsVerifier(harness.Verifier).VerifyAsync(Sign(LeafSpec.Signing()), Content));
    }

    [Fact]
    public async Task Garbage_is_signature_malformed() =>
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, Content));

    [Fact]
    public async Task Detached_without_data_and_attached_with_data_are_signature_malformed()
    {
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(Sign(LeafSpec.Signing(), detached: true), null));
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(Sign(LeafSpec.Signing(), detached: false), Content));
    }

    [Fact]
    public async Task Two_signers_are_signature_malformed()
    {
        var cms = new SignedCms(new ContentInfo(Content), detached: true);
        cms.Decode(Sign(LeafSpec.Signing()));
        cms.ComputeSignature(Signer(LeafSpec.Signing() with { Key = TestKeys.OtherCard }, "2.16.840.1.101.3.4.2.1", X509IncludeOption.EndCertOnly));
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(cms.Encode(), Content));
    }

    [Fact]
    public async Task Corrupted_certificate_in_the_container_is_signature_malformed()
    {
        // The platform decodes the certificate set only when the signer's certificate is asked for.
        var spec = LeafSpec.Signing();
        var cms = Sign(spec);
        var certificate = Issue(spec);
        var at = cms.AsSpan().IndexOf(certificate.AsSpan(0, 64));
        Assert.True(at > 0);
        cms[at + 4] = 0x02; // the TBSCertificate's SEQUENCE tag becomes INTEGER

        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(cms, Content));
    }

    [Fact]
    public async Task Signer_certificate_missing_is_signature_malformed() =>
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(Sign(LeafSpec.Signing(), include: X509IncludeOption.None), Content));

    [Fact]
    public async Task No_signed_attributes_is_signature_malformed()
    {
        var cms = new SignedCms(SubjectIdentifierType.IssuerAndSerialNumber, new ContentInfo(Content), detached: true);
        cms.ComputeSignature(Signer(LeafSpec.Signing(), "2.16.840.1.101.3.4.2.1", X509IncludeOption.EndCertOnly, signingTime: false));
        var encoded = cms.Encode();
        var decoded = new SignedCms(new ContentInfo(Content), detached: true);
        decoded.Decode(encoded);
        Assert.Empty(decoded.SignerInfos[0].SignedAttributes);
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(encoded, Content));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_hand_written_container_verifies_like_one_of_signed_cms(bool detached)
    {
        var cms = CmsWriter.Write(LeafSpec.Signing(), Content, detached, CmsWriter.StandardAttributes(Content, SigningTime));
        var signature = JpkiAssert.Succeeds(await Verifier.VerifyAsync(cms, detached ? Content : null));
        Assert.Equal(SigningTime, signature.SigningTime);
    }

    [Fact]
    public async Task Signed_attributes_without_content_type_are_signature_malformed()
    {
        // RFC 5652 §5.3: with signed attributes, the content-type attribute is mandatory.
        var attributes = CmsWriter.StandardAttributes(Content, SigningTime);
        attributes.RemoveAll(attribute => attribute.Type == CmsWriter.ContentTypeOid);
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(CmsWriter.Write(LeafSpec.Signing(), Content, detached: true, attributes), Content));
    }

    [Fact]
    public async Task A_content_type_other_than_the_encapsulated_one_is_signature_invalid()
    {
        // RFC 5652 §11.1: the attribute says what the signer signed; here id-ct-TSTInfo over id-data content.
        var attributes = CmsWriter.StandardAttributes(Content, SigningTime);
        attributes[0] = new(CmsWriter.ContentTypeOid, CmsWriter.Oid("1.2.840.113549.1.9.16.1.4"));
        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, await Verifier.VerifyAsync(CmsWriter.Write(LeafSpec.Signing(), Content, detached: true, attributes), Content));
    }

    [Fact]
    public async Task Two_content_type_values_are_signature_malformed()
    {
        var attributes = CmsWriter.StandardAttributes(Content, SigningTime);
        attributes[0] = new(CmsWriter.ContentTypeOid, CmsWriter.Oid(CmsWriter.Data), CmsWriter.Oid("1.2.840.113549.1.9.16.1.4"));
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(CmsWriter.Write(LeafSpec.Signing(), Content, detached: true, attributes), Content));
    }

    [Fact]
    public async Task A_signing_time_as_generalized_time_verifies()
    {
        // RFC 5652 §11.3: SigningTime ::= Time, UTCTime or GeneralizedTime.
        var attributes = CmsWriter.StandardAttributes(Content, SigningTime);
        attributes[1] = new(CmsWriter.SigningTimeOid, CmsWriter.GeneralizedTime(SigningTime));
        var signature = JpkiAssert.Succeeds(await Verifier.VerifyAsync(CmsWriter.Write(LeafSpec.Signing(), Content, detached: true, attributes), Content));
        Assert.Equal(SigningTime, signature.SigningTime);
    }

    [Fact]
    public async Task Two_signing_time_attributes_are_signature_malformed()
    {
        var attributes = CmsWriter.StandardAttributes(Content, SigningTime);
        attributes.Add(new(CmsWriter.SigningTimeOid, CmsWriter.UtcTime(SigningTime.AddYears(-3))));
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(CmsWriter.Write(LeafSpec.Signing(), Content, detached: true, attributes), Content));
    }

    [Fact]
    public async Task A_signing_time_with_two_values_is_signature_malformed()
    {
        var attributes = CmsWriter.StandardAttributes(Content, SigningTime);
        attributes[1] = new(CmsWriter.SigningTimeOid, CmsWriter.UtcTime(SigningTime), CmsWriter.UtcTime(SigningTime.AddYears(-3)));
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(CmsWriter.Write(LeafSpec.Signing(), Content, detached: true, attributes), Content));
    }

    [Fact]
    public async Task A_signing_time_that_is_no_time_is_signature_malformed()
    {
        var attributes = CmsWriter.StandardAttributes(Content, SigningTime);
        attributes[1] = new(CmsWriter.SigningTimeOid, CmsWriter.OctetString([0x01]));
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(CmsWriter.Write(LeafSpec.Signing(), Content, detached: true, attributes), Content));
    }

    [Fact]
    public async Task A_malformed_certificate_beside_the_signers_is_signature_malformed()
    {
        // A SEQUENCE that is no certificate, after the signer's own in the bag.
        var cms = CmsWriter.Write(LeafSpec.Signing(), Content, detached: true, CmsWriter.StandardAttributes(Content, SigningTime), extraCertificates: [[0x30, 0x03, 0x02, 0x01, 0x01]]);
        JpkiAssert.Fails(JpkiErrorCode.SignatureMalformed, await Verifier.VerifyAsync(cms, Content));
    }

    private static byte[] Sign(LeafSpec spec, bool detached = true, string digest = "2.16.840.1.101.3.4.2.1", X509IncludeOption include = X509IncludeOption.EndCertOnly)
    {
        var cms = new SignedCms(new ContentInfo(Content), detached);
        cms.ComputeSignature(Signer(spec, digest, include));
        return cms.Encode();
    }

    private static CmsSigner Signer(LeafSpec spec, string digest, X509IncludeOption include, bool signingTime = true)
    {
        var certificate = X509CertificateLoader.LoadCertificate(Issue(spec)).CopyWithPrivateKey((RSA)spec.Key);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate)
        {
            DigestAlgorithm = new Oid(digest),
            IncludeOption = include,
        };
        if (signingTime)
        {
            signer.SignedAttributes.Add(new Pkcs9SigningTime(Now.AddHours(-1).UtcDateTime));
        }

        return signer;
    }
}
