using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>The delegation app with one corporate CA configured (<c>Delegation:DelegatorTrustAnchors</c>) and its CRL.</summary>
public sealed class CorporateDelegatorFixture : DelegationApiFixture
{
    /// <summary>The 会社法人等番号 of the document's corporation (法人番号 7000012050002).</summary>
    public const string CompanyNumber = "000012050002";

    private readonly string _folder = Directory.CreateTempSubdirectory("smk-corporate-ca-").FullName;

    public CorporateDelegatorFixture()
    {
        Revoked = Ca.Issue(CompanyNumber);
        File.WriteAllText(AnchorPath, Ca.Certificate.ExportCertificatePem());
        File.WriteAllBytes(CrlPath, Ca.Crl(Revoked));
    }

    public CorporateTestCa Ca { get; } = new("Corporate registry CA");

    /// <summary>A certificate of the corporation that the CA's CRL lists.</summary>
    public CorporateSigner Revoked { get; }

    private string AnchorPath => Path.Combine(_folder, "corporate-ca.pem");

    private string CrlPath => Path.Combine(_folder, "corporate-ca.crl");

    public override void Dispose()
    {
        base.Dispose();
        Ca.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>(base.Settings())
    {
        ["Delegation:DelegatorTrustAnchors:0"] = AnchorPath,
        ["Delegation:DelegatorCrlFiles:0"] = CrlPath,
    };
}

/// <summary>Delegations signed by a corporate CA's certificate (商業登記電子証明書): baseline, then one broken thing per test.</summary>
public sealed class CorporateDelegatorTests(CorporateDelegatorFixture app) : IClassFixture<CorporateDelegatorFixture>
{
    [Fact]
    public async Task A_corporation_registers_with_its_registry_certificate_and_revokes_with_the_same()
    {
        var corporation = app.Ca.Issue(CorporateDelegatorFixture.CompanyNumber);
        var (agentId, agent) = await app.NewCardholderAsync(Agent);
        var document = Document(agentId, representativeName: "鈴木一郎");

        var created = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = corporation.Signed(document) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delegationId").GetString()!;
        var accepted = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance", new { signature = Signed(agent, new { action = "accept", delegationId = id }) }, bearerFor: agentId);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        // Another certificate of the same corporation is not the one that signed.
        var other = app.Ca.Issue(CorporateDelegatorFixture.CompanyNumber);
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/revocation", new { signature = other.Signed(new { action = "revoke", delegationId = id }) }),
            HttpStatusCode.Forbidden, "signer_not_delegator");
        var revoked = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/revocation", new { signature = corporation.Signed(new { action = "revoke", delegationId = id }) });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("revoked", (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unsigned_certificate_whose_subject_is_no_name_is_certificate_untrusted()
    {
        // It names the configured CA (authorityKeyIdentifier) but another key signed it, and its subject is no X.501 Name:
        // the subject was read before the CA's signature was checked, and the route answered 500.
        var genuine = app.Ca.Issue(CorporateDelegatorFixture.CompanyNumber);
        using var impostor = RSA.Create(2048);
        var forged = CertificateSurgery.WithSubject(genuine.Certificate.RawData, CertificateSurgery.NotAName, impostor);
        var document = Document("AB34CD56");

        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = genuine.Signed(document, certificate: forged) }),
            HttpStatusCode.Unauthorized,
            "certificate_untrusted");
    }

    [Theory]
    [InlineData("wrong corporation", HttpStatusCode.UnprocessableEntity, "corporation_mismatch")]
    [InlineData("untrusted CA", HttpStatusCode.Unauthorized, "certificate_untrusted")]
    [InlineData("expired", HttpStatusCode.Unauthorized, "certificate_expired")]
    [InlineData("key usage", HttpStatusCode.Unauthorized, "certificate_untrusted")]
    [InlineData("revoked", HttpStatusCode.Unauthorized, "certificate_revoked")]
    public async Task A_broken_corporate_signature_is_refused_with_its_code(string mutation, HttpStatusCode status, string code)
    {
        using var otherCa = new CorporateTestCa("Unconfigured CA");
        var signer = mutation switch
        {
            "wrong corporation" => app.Ca.Issue("180301018771"),
            "untrusted CA" => otherCa.Issue(CorporateDelegatorFixture.CompanyNumber),
            "expired" => app.Ca.Issue(CorporateDelegatorFixture.CompanyNumber, notBefore: DateTimeOffset.UtcNow.AddYears(-1), notAfter: DateTimeOffset.UtcNow.AddDays(-1)),
            "key usage" => app.Ca.Issue(CorporateDelegatorFixture.CompanyNumber, usage: X509KeyUsageFlags.KeyEncipherment),
            _ => app.Revoked,
        };
        var document = Document("AB34CD56");

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = signer.Signed(document) }), status, code);
    }
}
