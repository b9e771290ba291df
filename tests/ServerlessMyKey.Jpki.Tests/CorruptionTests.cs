using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>Every byte of a valid certificate or CRL is covered by a check: changing any one is refused, never thrown.</summary>
public sealed class CorruptionTests : IDisposable
{
    private readonly VerifierHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task No_single_byte_change_leaves_a_certificate_valid()
    {
        var der = Issue(LeafSpec.Authentication());
        JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));

        for (var i = 0; i < der.Length; i++)
        {
            var corrupted = (byte[])der.Clone();
            corrupted[i] ^= 0x01;

            var result = await _harness.Verifier.VerifyAsync(corrupted, JpkiCertificateKind.Authentication);

            Assert.False(result.Succeeded, $"changing byte {i} left the certificate valid");
        }
    }

    [Fact]
    public void No_single_byte_change_leaves_a_crl_usable()
    {
        var anchors = JpkiTrustAnchors.Create([AuthenticationRoot.ToAnchor()]);
        var crl = CrlWriter.Write(AuthenticationRoot, Now, Now.AddDays(1), [[0x01], [0x02, 0x03], [0x7F, 0x00, 0x00, 0x01]], X509RevocationReason.KeyCompromise);
        Assert.Equal(3, CertificateRevocationList.Parse(crl, anchors).Revoked.Count);

        for (var i = 0; i < crl.Length; i++)
        {
            var corrupted = (byte[])crl.Clone();
            corrupted[i] ^= 0x01;

            Assert.Throws<InvalidDataException>(() => CertificateRevocationList.Parse(corrupted, anchors));
        }
    }
}
