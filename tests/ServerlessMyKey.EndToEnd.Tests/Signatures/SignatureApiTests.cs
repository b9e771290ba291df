using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Signatures;

/// <summary>
/// <c>POST /api/signatures/verifications</c> and receipts through the DevHost: a valid baseline for raw
/// and CMS signatures made with virtual cards of the DevHost's PKI, then one change per test with its exact code.
/// </summary>
public sealed class SignatureApiTests(SignatureApiFixture app) : IClassFixture<SignatureApiFixture>
{
    private static readonly byte[] Document = Encoding.UTF8.GetBytes("申請書 — e2e signature test document");

    [Fact]
    public async Task Raw_signature_over_data_is_valid_with_holder_revocation_and_receipt()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var result = await VerifyAsync(Raw(card.SigningCertificate.RawData, card.SignWithSigningKey(Document), data: Document));

        Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());
        Assert.Equal("signing", result.GetProperty("certificate").GetProperty("kind").GetString());
        Assert.Equal(card.SigningCertificate.SerialNumber, result.GetProperty("certificate").GetProperty("serialNumber").GetString());
        var holder = result.GetProperty("holder");
        Assert.Equal("山田\u3000花子", holder.GetProperty("name").GetString());
        Assert.Equal("東京都千代田区霞が関2-1-2", holder.GetProperty("address").GetString());
        Assert.Equal("1990-04-01", holder.GetProperty("dateOfBirth").GetString());
        Assert.Equal("heisei", holder.GetProperty("era").GetString());
        Assert.Equal("female", holder.GetProperty("sex").GetString());
        Assert.Equal("00000", holder.GetProperty("nameSubstitutePositions").GetString()![..5]);
        Assert.Equal("good", result.GetProperty("revocation").GetProperty("status").GetString());
        Assert.Equal("crl", result.GetProperty("revocation").GetProperty("source").GetString());
        Assert.Matches("^[0-9a-f]{32}$", result.GetProperty("receiptId").GetString());
    }

    [Fact]
    public async Task Raw_signature_over_a_digest_is_valid()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var result = await VerifyAsync(Raw(card.SigningCertificate.RawData, card.SignWithSigningKey(Document), digest: SHA256.HashData(Document)));
        Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cms_signature_is_valid_detached_and_attached(bool detached)
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var cms = SignatureApiFixture.Cms(card.SigningCertificate, Document, detached);
        var result = await VerifyAsync(new { cms = Convert.ToBase64String(cms), data = detached ? Convert.ToBase64String(Document) : null });

        Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());
        Assert.Equal("female", result.GetProperty("holder").GetProperty("sex").GetString());
        Assert.True(result.TryGetProperty("signingTime", out _));
        var receipt = await ReceiptAsync(result.GetProperty("receiptId").GetString()!);
        Assert.Equal(detached ? "cms-detached" : "cms-attached", receipt.GetProperty("evidence").GetProperty("format").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Document)), receipt.GetProperty("evidence").GetProperty("dataSha256").GetString());
    }

    [Fact]
    public async Task Raw_signature_that_does_not_verify_is_signature_invalid()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var signature = card.SignWithSigningKey(Document);
        signature[^1] ^= 1;
        await AssertRefusedAsync("signature_invalid", Raw(card.SigningCertificate.RawData, signature, data: Document));
    }

    [Fact]
    public async Task Raw_signature_over_other_data_is_signature_invalid()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        await AssertRefusedAsync("signature_invalid", Raw(card.SigningCertificate.RawData, card.SignWithSigningKey(Document), data: [.. Document, 0x20]));
    }

    [Fact]
    public async Task Raw_sha1_signature_is_signature_algorithm_unsupported()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        await AssertRefusedAsync("signature_algorithm_unsupported", Raw(card.SigningCertificate.RawData, SignatureApiFixture.SignSha1(card.SigningCertificate, Document), data: Document));
    }

    [Fact]
    public async Task Raw_signature_with_the_authentication_certificate_is_certificate_wrong_kind()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        await AssertRefusedAsync("certificate_wrong_kind", Raw(card.AuthenticationCertificate.RawData, card.SignWithAuthenticationKey(Document), data: Document));
    }

    [Fact]
    public async Task Raw_signature_with_a_certificate_of_another_pki_is_certificate_untrusted()
    {
        var folder = Directory.CreateTempSubdirectory("smk-foreign-pki-").FullName;
        try
        {
            var card = DevelopmentPki.LoadOrCreate(folder).IssueCard(SignatureApiFixture.Holder);
            await AssertRefusedAsync("certificate_untrusted", Raw(card.SigningCertificate.RawData, card.SignWithSigningKey(Document), data: Document));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Revoked_signing_certificate_is_certificate_revoked_for_raw_and_cms()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        app.Pki.Revoke(card, CardCertificates.Signing, System.Security.Cryptography.X509Certificates.X509RevocationReason.AffiliationChanged);
        var raw = Raw(card.SigningCertificate.RawData, card.SignWithSigningKey(Document), data: Document);

        // The DevHost looks at the CRL files at most every 5 seconds.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement result;
        do
        {
            result = await VerifyAsync(raw);
            if (!result.GetProperty("valid").GetBoolean())
            {
                break;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal("certificate_revoked", result.GetProperty("code").GetString());
        await AssertRefusedAsync("certificate_revoked", new { cms = Convert.ToBase64String(SignatureApiFixture.Cms(card.SigningCertificate, Document, detached: false)) });
    }

    [Fact]
    public async Task Cms_mutations_give_their_codes()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        await AssertRefusedAsync("signature_invalid", new
        {
            cms = Convert.ToBase64String(SignatureApiFixture.Cms(card.SigningCertificate, Document, detached: true)),
            data = Convert.ToBase64String([.. Document, 0x20]),
        });
        await AssertRefusedAsync("signature_algorithm_unsupported", new
        {
            cms = Convert.ToBase64String(SignatureApiFixture.Cms(card.SigningCertificate, Document, detached: false, digestOid: "1.3.14.3.2.26")),
        });
        await AssertRefusedAsync("certificate_wrong_kind", new
        {
            cms = Convert.ToBase64String(SignatureApiFixture.Cms(card.AuthenticationCertificate, Document, detached: false)),
        });
    }

    [Fact]
    public async Task Cms_with_a_malformed_certificate_in_its_bag_is_400_invalid_request()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var cms = SignatureApiFixture.Cms(card.SigningCertificate, Document, detached: false);
        var at = cms.AsSpan().IndexOf(card.SigningCertificate.RawData.AsSpan(0, 64));
        Assert.True(at > 0);
        cms[at + 4] = 0x02; // the TBSCertificate's SEQUENCE tag becomes INTEGER

        using var response = await app.PostAsync("/api/signatures/verifications", new { cms = Convert.ToBase64String(cms) });
        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Cms_with_a_generalized_time_signing_time_is_valid()
    {
        // RFC 5652 §11.3: SigningTime ::= Time; GeneralizedTime made the platform's decoder throw (500) before.
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var generalized = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        generalized.WriteGeneralizedTime(DateTimeOffset.UtcNow.AddMinutes(-1), omitFractionalSeconds: true);
        var cms = SignatureApiFixture.Cms(card.SigningCertificate, Document, detached: false, signingTime: generalized.Encode());

        var result = await VerifyAsync(new { cms = Convert.ToBase64String(cms) });
        Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());
    }

    [Fact]
    public async Task Receipt_seal_verifies_with_the_published_jwks_and_tampering_is_detected()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var result = await VerifyAsync(Raw(card.SigningCertificate.RawData, card.SignWithSigningKey(Document), data: Document));
        var receipt = await ReceiptAsync(result.GetProperty("receiptId").GetString()!);
        var jws = receipt.GetProperty("jws").GetString()!;
        var parts = jws.Split('.');
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());

        var jwks = await app.Http.GetFromJsonAsync<JsonElement>("/api/auth/jwks");
        var jwk = jwks.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == header.GetProperty("kid").GetString());
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()), Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()) },
        });
        var signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256));

        // Evidence: hashes, serial and issuer, outcome, revocation; holder data only encrypted.
        var payloadJson = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        var payload = JsonDocument.Parse(payloadJson).RootElement;
        Assert.True(payload.GetProperty("valid").GetBoolean());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Document)), payload.GetProperty("dataSha256").GetString());
        Assert.Equal(card.SigningCertificate.SerialNumber, payload.GetProperty("certificate").GetProperty("serialNumber").GetString());
        Assert.Matches("^[0-9a-f]{40}$", payload.GetProperty("certificate").GetProperty("issuerKeyId").GetString());
        Assert.Equal("good", payload.GetProperty("revocation").GetProperty("status").GetString());
        Assert.Equal("A256GCM", payload.GetProperty("holder").GetProperty("alg").GetString());
        Assert.DoesNotContain("花子", payloadJson, StringComparison.Ordinal);
        Assert.DoesNotContain("千代田", payloadJson, StringComparison.Ordinal);

        var tampered = Encoding.UTF8.GetBytes(payloadJson.Replace("\"valid\":true", "\"valid\":false", StringComparison.Ordinal));
        Assert.False(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + Base64Url.EncodeToString(tampered)), signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task Refusals_get_a_receipt_too()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var result = await AssertRefusedAsync("certificate_wrong_kind", Raw(card.AuthenticationCertificate.RawData, card.SignWithAuthenticationKey(Document), data: Document));
        var receipt = await ReceiptAsync(result.GetProperty("receiptId").GetString()!);
        Assert.False(receipt.GetProperty("evidence").GetProperty("valid").GetBoolean());
        Assert.Equal("certificate_wrong_kind", receipt.GetProperty("evidence").GetProperty("code").GetString());
    }

    public static TheoryData<string> MalformedBodies() => new()
    {
        """{"certificate":"not base64!","signature":"AAAA","data":"AAAA"}""",
        """{"certificate":"MIIB","signature":"AAAA","data":"AAAA"}""",
        """{"signature":"AAAA","data":"AAAA"}""",
        """{"cms":"MIIBAAAA"}""",
        """{"cms":"AAAA","certificate":"AAAA"}""",
        """{}""",
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_input_is_400(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/signatures/verifications") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", SignatureApiFixture.VerifierKey);
        using var response = await app.Http.SendAsync(request);
        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Raw_with_data_and_digest_or_detached_cms_without_data_is_400()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        using var both = await app.PostAsync("/api/signatures/verifications", Raw(card.SigningCertificate.RawData, card.SignWithSigningKey(Document), Document, SHA256.HashData(Document)));
        await ProblemAssert.ExactAsync(both, HttpStatusCode.BadRequest, "invalid_request");
        using var detached = await app.PostAsync("/api/signatures/verifications", new { cms = Convert.ToBase64String(SignatureApiFixture.Cms(card.SigningCertificate, Document, detached: true)) });
        await ProblemAssert.ExactAsync(detached, HttpStatusCode.BadRequest, "invalid_request");
        using var shortDigest = await app.PostAsync("/api/signatures/verifications", Raw(card.SigningCertificate.RawData, card.SignWithSigningKey(Document), digest: new byte[20]));
        await ProblemAssert.ExactAsync(shortDigest, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Callers_need_the_signatures_verify_role()
    {
        var card = app.Pki.IssueCard(SignatureApiFixture.Holder);
        var body = Raw(card.SigningCertificate.RawData, card.SignWithSigningKey(Document), data: Document);
        using var anonymous = await app.PostAsync("/api/signatures/verifications", body, apiKey: null);
        await ProblemAssert.ExactAsync(anonymous, HttpStatusCode.Unauthorized, "unauthenticated");
        using var other = await app.PostAsync("/api/signatures/verifications", body, SignatureApiFixture.OtherKey);
        await ProblemAssert.ExactAsync(other, HttpStatusCode.Forbidden, "forbidden");
        using var receipt = await app.GetAsync("/api/signatures/receipts/" + new string('a', 32), SignatureApiFixture.OtherKey);
        await ProblemAssert.ExactAsync(receipt, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Unknown_receipt_is_404()
    {
        using var unknown = await app.GetAsync("/api/signatures/receipts/" + new string('0', 32));
        await ProblemAssert.ExactAsync(unknown, HttpStatusCode.NotFound, "not_found");
        using var bad = await app.GetAsync("/api/signatures/receipts/..%2Fx");
        await ProblemAssert.ExactAsync(bad, HttpStatusCode.NotFound, "not_found");
    }

    private static object Raw(byte[] certificate, byte[] signature, byte[]? data = null, byte[]? digest = null) => new
    {
        certificate = Convert.ToBase64String(certificate),
        signature = Base64Url.EncodeToString(signature),
        data = data is null ? null : Convert.ToBase64String(data),
        digest = digest is null ? null : Convert.ToBase64String(digest),
    };

    private async Task<JsonElement> VerifyAsync(object body)
    {
        using var response = await app.PostAsync("/api/signatures/verifications", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<JsonElement> AssertRefusedAsync(string code, object body)
    {
        var result = await VerifyAsync(body);
        Assert.False(result.GetProperty("valid").GetBoolean(), result.ToString());
        Assert.Equal(code, result.GetProperty("code").GetString());
        Assert.False(result.TryGetProperty("holder", out _));
        return result;
    }

    private async Task<JsonElement> ReceiptAsync(string receiptId)
    {
        using var response = await app.GetAsync("/api/signatures/receipts/" + receiptId);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
