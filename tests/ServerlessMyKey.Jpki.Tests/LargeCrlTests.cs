using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using Xunit.Abstractions;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>A CRL at the scale JPKI needs (JPKI.md: design for millions of revoked serials) loads once and answers by lookup.</summary>
public sealed class LargeCrlTests(ITestOutputHelper output)
{
    private const int RevokedCount = 1_000_000;

    [Fact]
    public void Million_entry_crl_loads_and_answers_lookups()
    {
        var anchors = JpkiTrustAnchors.Create([AuthenticationRoot.ToAnchor()]);
        var serials = Enumerable.Range(1, RevokedCount).Select(Serial).ToArray();
        new Random(1_000_000).Shuffle(serials); // the same order every run
        var build = Stopwatch.StartNew();
        var der = CrlWriter.Write(AuthenticationRoot, Now.AddHours(-1), Now.AddDays(1), serials, X509RevocationReason.KeyCompromise);
        build.Stop();

        var load = Stopwatch.StartNew();
        var crl = CertificateRevocationList.Parse(der, anchors);
        load.Stop();

        Assert.Equal(RevokedCount, crl.Revoked.Count);
        var lookups = Stopwatch.StartNew();
        for (var i = 1; i <= RevokedCount; i += 97)
        {
            Assert.True(crl.Revoked.TryFind(Serial(i), out _, out var reason));
            Assert.Equal(X509RevocationReason.KeyCompromise, reason);
            Assert.False(crl.Revoked.TryFind(Serial(i + RevokedCount), out _, out _));
        }

        lookups.Stop();
        var lookupCount = 2 * ((RevokedCount + 96) / 97);
        output.WriteLine($"CRL {der.Length / 1_048_576.0:F1} MiB built in {build.ElapsedMilliseconds} ms; parsed, verified and indexed in {load.ElapsedMilliseconds} ms; " +
            $"index {crl.Revoked.SizeInBytes / 1_048_576.0:F1} MiB; {lookupCount} lookups with assertions in {lookups.ElapsedMilliseconds} ms (see bench/ for timings)");
    }

    // Serial numbers like a CA's: positive, four octets.
    private static byte[] Serial(int value) => [0x3A, (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
