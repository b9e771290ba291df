using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Tests.TestPki;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>
/// A root whose CRL is partitioned by issuing distribution point (issue #17 item 12): both partitions
/// are kept, each certificate is checked against the one its cRLDistributionPoints names, and a
/// missing or stale partition fails closed.
/// </summary>
public sealed class CrlPartitionTests : IDisposable
{
    private const string SecondPartitionFile = "partition-2.crl";
    private static readonly X500DistinguishedName Partition1 = new("CN=JPKI CRL partition 1");
    private static readonly X500DistinguishedName Partition2 = new("CN=JPKI CRL partition 2");

    private readonly VerifierHarness _harness = new(extraCrlFiles: [SecondPartitionFile]);

    public void Dispose() => _harness.Dispose();

    private static LeafSpec Leaf(X500DistinguishedName distributionPoint) => LeafSpec.Authentication() with { DistributionPoint = distributionPoint };

    private void Publish(X500DistinguishedName partition, string path, IReadOnlyList<byte[]> revoked, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate) =>
        VerifierHarness.WriteCrl(path, CrlWriter.Write(AuthenticationRoot, thisUpdate, nextUpdate, revoked, extraExtensions: [CrlWriter.IssuingDistributionPoint(partition)]));

    [Fact]
    public async Task Two_partitions_of_one_root_coexist_and_each_answers_for_its_certificates()
    {
        var (revokedIn1, revokedIn2, good) = (Leaf(Partition1), Leaf(Partition2), Leaf(Partition2));
        Publish(Partition1, _harness.CrlPath(AuthenticationRoot), [revokedIn1.Serial], Now.AddHours(-2), Now.AddDays(1));
        Publish(Partition2, Path.Combine(_harness.Directory, SecondPartitionFile), [revokedIn2.Serial], Now.AddHours(-1), Now.AddDays(1)); // the newer one

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await _harness.VerifyAsync(revokedIn1));
        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await _harness.VerifyAsync(revokedIn2));
        JpkiAssert.Succeeds(await _harness.VerifyAsync(good));
    }

    [Fact]
    public async Task A_stale_partition_fails_closed_for_its_certificates_while_the_other_answers()
    {
        Publish(Partition1, _harness.CrlPath(AuthenticationRoot), [], Now.AddDays(-3), Now.AddDays(-1));
        Publish(Partition2, Path.Combine(_harness.Directory, SecondPartitionFile), [], Now.AddHours(-1), Now.AddDays(1));

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await _harness.VerifyAsync(Leaf(Partition1)));
        JpkiAssert.Succeeds(await _harness.VerifyAsync(Leaf(Partition2)));
    }

    [Fact]
    public async Task A_certificate_of_a_partition_with_no_crl_fails_closed()
    {
        Publish(Partition1, _harness.CrlPath(AuthenticationRoot), [], Now.AddHours(-1), Now.AddDays(1));
        Publish(Partition2, Path.Combine(_harness.Directory, SecondPartitionFile), [], Now.AddHours(-1), Now.AddDays(1));

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await _harness.VerifyAsync(Leaf(new X500DistinguishedName("CN=JPKI CRL partition 3"))));
    }
}
