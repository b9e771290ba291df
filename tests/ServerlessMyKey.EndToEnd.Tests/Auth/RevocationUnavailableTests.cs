using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Auth;

/// <summary>A DevHost whose CRL source does not exist: every login fails closed.</summary>
public sealed class RevocationUnavailableTests(RevocationUnavailableTests.NoCrlFixture app) : IClassFixture<RevocationUnavailableTests.NoCrlFixture>
{
    public sealed class NoCrlFixture : DevHostFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
        {
            ["Jpki:Revocation:CrlFiles:0"] = Path.Combine(Path.GetTempPath(), "no-such-crl-" + Guid.NewGuid().ToString("N") + ".crl"),
            ["Jpki:Revocation:CrlFiles:1"] = Path.Combine(Path.GetTempPath(), "no-such-crl-" + Guid.NewGuid().ToString("N") + ".crl"),
        };
    }

    [Fact]
    public async Task Login_without_usable_revocation_data_is_revocation_unavailable()
    {
        var card = app.Pki.IssueCard(new CardHolder("鈴木　次郎", "大阪府大阪市北区梅田1-1", new DateOnly(2001, 2, 3), "male"));
        var client = new MyKeyApiClient(app.Http);
        var (challengeId, challenge) = await client.CreateChallengeAsync();

        var response = await app.Http.PostAsJsonAsync("api/auth/sessions", MyKeyApiClient.LoginBody(card, challengeId, challenge));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("revocation_unavailable", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }
}
