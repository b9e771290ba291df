using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Signatures;

/// <summary><c>POST /api/certificates/status</c> through the DevHost, with virtual cards of its PKI.</summary>
public sealed class CertificateStatusApiTests(SignatureApiFixture app) : IClassFixture<SignatureApiFixture>
{
    [Fact]
    public async Task Good_revoked_and_unknown_certificates_in_request_order()
    {
        var good = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var revoked = app.Pki.IssueCard(SignatureApiFixture.Holder);
        app.Pki.Revoke(revoked, CardCertificates.Signing, X509RevocationReason.AffiliationChanged);
        var foreignFolder = Directory.CreateTempSubdirectory("smk-foreign-pki-").FullName;
        try
        {
            var foreign = DevelopmentPki.LoadOrCreate(foreignFolder).IssueCard(SignatureApiFixture.Holder);
            object body = new
            {
                certificates = new[]
                {
                    Convert.ToBase64String(good.SigningCertificate.RawData),
                    Convert.ToBase64String(good.AuthenticationCertificate.RawData),
                    Convert.ToBase64String(revoked.SigningCertificate.RawData),
                    Convert.ToBase64String(foreign.SigningCertificate.RawData),
                    Convert.ToBase64String(new byte[] { 0x30, 0x00 }),
                },
            };

            // The DevHost looks at the CRL files at most every 5 seconds.
            JsonElement results = default;
            for (var attempt = 0; attempt < 60; attempt++)
            {
                results = await StatusAsync(body);
                if (results[2].GetProperty("status").GetString() == "revoked")
                {
                    break;
                }

                await Task.Delay(500);
            }

            Assert.Equal(5, results.GetArrayLength());
            Assert.Equal("good", results[0].GetProperty("status").GetString());
            Assert.Equal("signing", results[0].GetProperty("kind").GetString());
            Assert.Equal(good.SigningCertificate.SerialNumber, results[0].GetProperty("serialNumber").GetString());
            Assert.True(results[0].TryGetProperty("checkedAt", out _));
            Assert.Equal("good", results[1].GetProperty("status").GetString());
            Assert.Equal("authentication", results[1].GetProperty("kind").GetString());
            Assert.Equal("revoked", results[2].GetProperty("status").GetString());
            Assert.Equal("affiliationChanged", results[2].GetProperty("reason").GetString());
            Assert.True(results[2].TryGetProperty("revokedAt", out _));
            Assert.Equal("unknown", results[3].GetProperty("status").GetString());
            Assert.Equal("certificate_untrusted", results[3].GetProperty("reason").GetString());
            Assert.Equal("unknown", results[4].GetProperty("status").GetString());
            Assert.Equal("certificate_malformed", results[4].GetProperty("reason").GetString());
        }
        finally
        {
            Directory.Delete(foreignFolder, recursive: true);
        }
    }

    [Fact]
    public async Task More_than_1000_or_none_is_400()
    {
        using var tooMany = await app.PostAsync("/api/certificates/status", new { certificates = Enumerable.Repeat("MAA", 1001) }, SignatureApiFixture.InsurerKey);
        await ProblemAssert.ExactAsync(tooMany, HttpStatusCode.BadRequest, "invalid_request");
        using var none = await app.PostAsync("/api/certificates/status", new { certificates = Array.Empty<string>() }, SignatureApiFixture.InsurerKey);
        await ProblemAssert.ExactAsync(none, HttpStatusCode.BadRequest, "invalid_request");
        using var badBase64 = await app.PostAsync("/api/certificates/status", new { certificates = new[] { "***" } }, SignatureApiFixture.InsurerKey);
        await ProblemAssert.ExactAsync(badBase64, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Five_hundred_certificates_are_answered()
    {
        // 1,000 real-size certificates (~1.7 KB base64 each) exceed the 1 MiB body limit of API.md; 500 fit.
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var one = Convert.ToBase64String(card.SigningCertificate.RawData);
        var results = await StatusAsync(new { certificates = Enumerable.Repeat(one, 500) });
        Assert.Equal(500, results.GetArrayLength());
        Assert.All(results.EnumerateArray(), r => Assert.Equal("good", r.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Callers_need_the_certificates_status_role()
    {
        object body = new { certificates = new[] { "MAA" } };
        using var anonymous = await app.PostAsync("/api/certificates/status", body, apiKey: null);
        await ProblemAssert.ExactAsync(anonymous, HttpStatusCode.Unauthorized, "unauthenticated");
        using var verifier = await app.PostAsync("/api/certificates/status", body, SignatureApiFixture.VerifierKey);
        await ProblemAssert.ExactAsync(verifier, HttpStatusCode.Forbidden, "forbidden");
    }

    private async Task<JsonElement> StatusAsync(object body)
    {
        using var response = await app.PostAsync("/api/certificates/status", body, SignatureApiFixture.InsurerKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("results");
    }
}
