using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>What kinds of CRL are used or refused, and how serial numbers are indexed.</summary>
public sealed class CrlFormatTests : IDisposable
{
    private readonly VerifierHarness _harness = new();
    private readonly JpkiTrustAnchors _anchors = JpkiTrustAnchors.Create([AuthenticationRoot.ToAnchor()]);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Crl_partitioned_to_the_certificates_distribution_point_is_used()
    {
        var spec = LeafSpec.Authentication();
        _harness.PublishCrl(AuthenticationRoot, CrlWriter.Write(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), [spec.Serial], extraExtensions: [CrlWriter.IssuingDistributionPoint(AuthenticationRoot.Name)]));

        var result = await _harness.VerifyAsync(spec);

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, result);
    }

    [Fact]
    public async Task Crl_partitioned_to_another_distribution_point_makes_revocation_unavailable()
    {
        _harness.PublishCrl(AuthenticationRoot, CrlWriter.Write(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), [], extraExtensions: [CrlWriter.IssuingDistributionPoint(new X500DistinguishedName("CN=partition 2"))]));

        var result = await _harness.VerifyAsync(LeafSpec.Authentication());

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public async Task Crl_without_next_update_makes_revocation_unavailable()
    {
        _harness.PublishCrl(AuthenticationRoot, CrlWriter.Write(AuthenticationRoot, Now.AddHours(-1), nextUpdate: null, []));

        var result = await _harness.VerifyAsync(LeafSpec.Authentication());

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
    }

    [Fact]
    public void Delta_crl_is_refused()
    {
        var crl = CrlWriter.Write(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), [], extraExtensions: [new X509Extension("2.5.29.27", [0x02, 0x01, 0x01], critical: true)]);

        Assert.Throws<InvalidDataException>(() => CertificateRevocationList.Parse(crl, _anchors));
    }

    [Fact]
    public void Crl_with_an_unknown_critical_extension_is_refused()
    {
        var crl = CrlWriter.Write(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), [], extraExtensions: [new X509Extension("1.3.6.1.4.1.55555.2", [0x05, 0x00], critical: true)]);

        Assert.Throws<InvalidDataException>(() => CertificateRevocationList.Parse(crl, _anchors));
    }

    [Fact]
    public void Serials_of_every_length_are_found_exactly()
    {
        byte[][] serials = [[0x01], [0x7F, 0xFF], [0x80], [0xFF, 0x00, 0x01], [.. Enumerable.Repeat((byte)0xAB, 20)], [0x12, 0x34, 0x56, 0x78, 0x9A]];
        var crl = CertificateRevocationList.Parse(CrlWriter.Write(AuthenticationRoot, Now, Now.AddDays(1), serials, X509RevocationReason.Superseded), _anchors);

        Assert.Equal(serials.Length, crl.Revoked.Count);
        Assert.Equal(20, crl.Revoked.Width);
        Assert.All(serials, serial => Assert.True(crl.Revoked.TryFind(serial, out _, out _), Convert.ToHexString(serial)));
        byte[][] absent = [[0x02], [0x00, 0x80, 0x00], [0x12, 0x34, 0x56, 0x78, 0x9B], [.. Enumerable.Repeat((byte)0xAB, 21)], [0xFF, 0x00]];
        Assert.All(absent, serial => Assert.False(crl.Revoked.TryFind(serial, out _, out _), Convert.ToHexString(serial)));
    }

    [Fact]
    public void Sorted_and_shuffled_crls_index_alike()
    {
        var serials = Enumerable.Range(1, 1000).Select(i => i < 256 ? new[] { (byte)i } : [(byte)(i >> 8), (byte)i]).ToArray();
        var shuffled = serials.ToArray();
        new Random(7).Shuffle(shuffled);

        var fromSorted = CertificateRevocationList.Parse(CrlWriter.Write(AuthenticationRoot, Now, Now.AddDays(1), serials), _anchors).Revoked;
        var fromShuffled = CertificateRevocationList.Parse(CrlWriter.Write(AuthenticationRoot, Now, Now.AddDays(1), shuffled), _anchors).Revoked;

        foreach (var serial in serials)
        {
            Assert.True(fromSorted.TryFind(serial, out var sortedAt, out var sortedReason));
            Assert.True(fromShuffled.TryFind(serial, out var shuffledAt, out var shuffledReason));
            Assert.Equal(sortedAt, shuffledAt);
            Assert.Null(sortedReason);
            Assert.Null(shuffledReason);
        }
    }
}
