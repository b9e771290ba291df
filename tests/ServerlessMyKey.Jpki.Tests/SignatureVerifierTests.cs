using System.Security.Cryptography;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>A valid SHA-256 signature over a login challenge, then one mutation per test.</summary>
public sealed class SignatureVerifierTests : IDisposable
{
    private readonly VerifierHarness _harness = new();
    private readonly byte[] _challenge = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Baseline_sha256_signature_over_the_challenge_verifies()
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();

        var result = _harness.Verifier.VerifySignature(certificate, _challenge, Sign(_challenge, HashAlgorithmName.SHA256));

        JpkiAssert.Succeeds(result);
    }

    [Fact]
    public async Task Baseline_signature_verifies_against_the_sha256_digest()
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();

        var result = _harness.Verifier.VerifyDigestSignature(certificate, SHA256.HashData(_challenge), Sign(_challenge, HashAlgorithmName.SHA256));

        JpkiAssert.Succeeds(result);
    }

    [Fact]
    public async Task Sha1_digest_info_is_refused_as_unsupported()
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();

        var result = _harness.Verifier.VerifySignature(certificate, _challenge, Sign(_challenge, HashAlgorithmName.SHA1));

        JpkiAssert.Fails(JpkiErrorCode.SignatureAlgorithmUnsupported, result);
    }

    [Fact]
    public async Task Sha1_digest_info_is_refused_when_verifying_a_digest()
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();

        var result = _harness.Verifier.VerifyDigestSignature(certificate, SHA256.HashData(_challenge), Sign(_challenge, HashAlgorithmName.SHA1));

        JpkiAssert.Fails(JpkiErrorCode.SignatureAlgorithmUnsupported, result);
    }

    [Fact]
    public async Task Tampered_data_is_invalid()
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();
        var signature = Sign(_challenge, HashAlgorithmName.SHA256);
        _challenge[0] ^= 0x01;

        var result = _harness.Verifier.VerifySignature(certificate, _challenge, signature);

        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, result);
    }

    [Fact]
    public async Task Tampered_signature_is_invalid()
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();
        var signature = Sign(_challenge, HashAlgorithmName.SHA256);
        signature[^1] ^= 0x01;

        var result = _harness.Verifier.VerifySignature(certificate, _challenge, signature);

        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, result);
    }

    [Fact]
    public async Task Signature_by_another_key_is_invalid()
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();

        var result = _harness.Verifier.VerifySignature(certificate, _challenge, TestKeys.OtherCard.SignData(_challenge, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, result);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    [InlineData(257)]
    [InlineData(512)]
    public async Task Signature_of_the_wrong_length_is_invalid(int length)
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();
        var signature = new byte[length];
        Sign(_challenge, HashAlgorithmName.SHA256).AsSpan(0, Math.Min(length, 256)).CopyTo(signature);

        var failure = JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, _harness.Verifier.VerifySignature(certificate, _challenge, signature));

        Assert.Contains("bytes", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_value_not_below_the_modulus_is_invalid()
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();
        var signature = Enumerable.Repeat((byte)0xFF, 256).ToArray();

        var result = _harness.Verifier.VerifySignature(certificate, _challenge, signature);

        JpkiAssert.Fails(JpkiErrorCode.SignatureInvalid, result);
    }

    [Fact]
    public async Task Digest_of_the_wrong_length_is_a_caller_error()
    {
        var certificate = await VerifiedAuthenticationCertificateAsync();

        Assert.Throws<ArgumentException>(() =>
            _harness.Verifier.VerifyDigestSignature(certificate, SHA1.HashData(_challenge), Sign(_challenge, HashAlgorithmName.SHA256)));
    }

    // What a JPKI card returns: PKCS#1 v1.5 over the DigestInfo the client chose.
    private static byte[] Sign(byte[] data, HashAlgorithmName hash) => TestKeys.Card.SignData(data, hash, RSASignaturePadding.Pkcs1);

    private async Task<JpkiVerifiedCertificate> VerifiedAuthenticationCertificateAsync() =>
        JpkiAssert.Succeeds(await _harness.VerifyAsync(LeafSpec.Authentication()));
}
