using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace ServerlessMyKey.EndToEnd.Tests.StatusJobs;

/// <summary>
/// The size the contract promises: 100,000 real certificates of the development PKI (ten of them
/// revoked), uploaded in 200 parts, checked by the queue-triggered function on Azurite, and
/// answered in upload order.
/// </summary>
public sealed class HundredThousandCertificatesTests(StatusJobApiFixture app, ITestOutputHelper output) : IClassFixture<StatusJobApiFixture>
{
    private const int Count = 100_000;
    private const int PartSize = 500;

    [Fact]
    public async Task A_job_of_100000_certificates_completes_with_every_result_in_order()
    {
        var clock = Stopwatch.StartNew();
        var certificates = app.Pki.IssueAuthenticationCertificates(Count);
        var revokedIndexes = Enumerable.Range(0, 10).Select(i => (i * 9_973) + 17).ToArray();
        foreach (var index in revokedIndexes)
        {
            app.Pki.Revoke(X509CertificateLoader.LoadCertificate(certificates[index]), X509RevocationReason.CessationOfOperation);
        }

        var encoded = certificates.Select(Convert.ToBase64String).ToArray();
        await app.WaitUntilRevokedAsync(encoded[revokedIndexes[^1]]);
        output.WriteLine($"issued {Count} certificates and revoked {revokedIndexes.Length}: {clock.Elapsed.TotalSeconds:F1} s");

        clock.Restart();
        var parts = Count / PartSize;
        var jobId = await app.CreateAsync(new { parts }, HttpStatusCode.Created);
        await Parallel.ForAsync(1, parts + 1, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (part, _) =>
        {
            using var response = await app.PutPartAsync(jobId, part, encoded[((part - 1) * PartSize)..(part * PartSize)]);
            Assert.True(response.IsSuccessStatusCode, $"part {part}: {(int)response.StatusCode}");
        });
        output.WriteLine($"uploaded {parts} parts: {clock.Elapsed.TotalSeconds:F1} s");

        clock.Restart();
        var job = await app.WaitForCompletionAsync(jobId, TimeSpan.FromMinutes(10));
        output.WriteLine($"checked and fetched the results: {clock.Elapsed.TotalSeconds:F1} s ({Count / clock.Elapsed.TotalSeconds:F0} certificates/s)");

        Assert.Equal(Count, job.GetProperty("total").GetInt32());
        Assert.Equal(Count, job.GetProperty("processed").GetInt32());
        var summary = job.GetProperty("summary");
        Assert.Equal(Count - revokedIndexes.Length, summary.GetProperty("good").GetInt32());
        Assert.Equal(revokedIndexes.Length, summary.GetProperty("revoked").GetInt32());
        var results = job.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(Count, results.Length);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(SerialNumber(certificates[i]), results[i].GetProperty("serialNumber").GetString());
            Assert.Equal(revokedIndexes.Contains(i) ? "revoked" : "good", results[i].GetProperty("status").GetString());
        }
    }

    /// <summary>The serial as the API writes it (uppercase hex), read from the DER without a full certificate load.</summary>
    private static string SerialNumber(byte[] der)
    {
        var reader = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence().ReadSequence();
        reader.ReadEncodedValue(); // [0] version
        return Convert.ToHexString(reader.ReadIntegerBytes().Span);
    }
}
