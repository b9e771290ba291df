using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Benchmarks;

/// <summary>
/// Loading a CRL (parse, signature check, index) at JPKI scale. Serial numbers are four octets and
/// written in random order, so the index has to sort: the slow case.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class CrlLoadBenchmarks
{
    private byte[] _crl = [];
    private JpkiTrustAnchors _anchors = null!;

    [Params(100_000, 1_000_000, 5_000_000)]
    public int RevokedCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _anchors = JpkiTrustAnchors.Create([DevelopmentPki.AuthenticationRoot.ToAnchor()]);
        _crl = CrlSamples.Write(RevokedCount);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var crl = CertificateRevocationList.Parse(_crl, _anchors);
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine($"// {RevokedCount:N0} entries: CRL {_crl.Length / 1_048_576.0:F1} MiB, index {crl.Revoked.SizeInBytes / 1_048_576.0:F1} MiB, retained after load {retained / 1_048_576.0:F1} MiB");
        GC.KeepAlive(crl);
    }

    [Benchmark]
    public int Load() => CertificateRevocationList.Parse(_crl, _anchors).Revoked.Count;
}

/// <summary>One lookup in the index of a 1,000,000-entry CRL.</summary>
public class CrlLookupBenchmarks
{
    private RevokedSerialIndex _index = null!;
    private readonly byte[] _revoked = CrlSamples.Serial(654_321);
    private readonly byte[] _notRevoked = CrlSamples.Serial(1_654_321);

    [GlobalSetup]
    public void Setup()
    {
        var anchors = JpkiTrustAnchors.Create([DevelopmentPki.AuthenticationRoot.ToAnchor()]);
        _index = CertificateRevocationList.Parse(CrlSamples.Write(1_000_000), anchors).Revoked;
    }

    [Benchmark]
    public bool LookupRevoked() => _index.TryFind(_revoked, out _, out _);

    [Benchmark]
    public bool LookupNotRevoked() => _index.TryFind(_notRevoked, out _, out _);
}

internal static class CrlSamples
{
    public static byte[] Serial(int value) => [0x3A, (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    /// <summary>A CRL of <paramref name="count"/> random-order serials by <paramref name="root"/> (default: the authentication root).</summary>
    public static byte[] Write(int count, TestRoot? root = null)
    {
        var serials = Enumerable.Range(1, count).Select(Serial).ToArray();
        new Random(42).Shuffle(serials);
        return CrlWriter.Write(root ?? DevelopmentPki.AuthenticationRoot, DevelopmentPki.Now.AddHours(-1), DevelopmentPki.Now.AddDays(1), serials, X509RevocationReason.KeyCompromise);
    }
}
