using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using ServerlessMyKey.Cli;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Oidc;

/// <summary>
/// The login step and the authorization endpoint's OpenID Connect parameters: a malformed login leaves the request
/// usable, the request's challenge opens no citizen session, prompt and max_age (OpenID Connect Core §3.1.2.1).
/// </summary>
public sealed class OidcLoginStepTests(OidcFixture provider) : IClassFixture<OidcFixture>
{
    private readonly OidcProtocol _protocol = new(provider);

    private async Task<(string RequestId, string ChallengeId, byte[] Challenge)> OpenRequestAsync(string scope = "openid", Action<Dictionary<string, string?>>? change = null)
    {
        var requestId = await OidcLoginClient.StartAsync(_protocol.AuthorizeUrl(OidcFixture.RadioClient, provider.RadioRedirectUri, OidcProtocol.NewVerifier(), scope, change));
        var request = await new OidcLoginClient(provider.Http).GetRequestAsync(requestId);
        return (requestId, request.GetProperty("challengeId").GetString()!, System.Buffers.Text.Base64Url.DecodeFromChars(request.GetProperty("challenge").GetString()!));
    }

    private async Task<System.Collections.Specialized.NameValueCollection> AuthorizeErrorAsync(Action<Dictionary<string, string?>> change)
    {
        using var response = await OidcProtocol.GetAsync(_protocol.AuthorizeUrl(OidcFixture.RadioClient, provider.RadioRedirectUri, OidcProtocol.NewVerifier(), change: change));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(provider.RadioRedirectUri + "?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        return HttpUtility.ParseQueryString(response.Headers.Location!.Query);
    }

    [Theory]
    [InlineData("certificate")]
    [InlineData("signature")]
    [InlineData("signing.certificate")]
    [InlineData("signing.signature")]
    public async Task A_malformed_login_is_invalid_request_and_leaves_the_request_usable(string broken)
    {
        var card = provider.Card;
        var (requestId, challengeId, challenge) = await OpenRequestAsync("openid jpki_basic4");
        string Field(string name, string good) => name == broken ? "not base64!" : good;
        var malformed = new
        {
            challengeId,
            certificate = Field("certificate", Convert.ToBase64String(card.AuthenticationCertificate.RawData)),
            signature = Field("signature", Convert.ToBase64String(card.SignWithAuthenticationKey(challenge))),
            signing = new
            {
                certificate = Field("signing.certificate", Convert.ToBase64String(card.SigningCertificate.RawData)),
                signature = Field("signing.signature", Convert.ToBase64String(card.SignWithSigningKey(challenge))),
            },
        };

        await ProblemAssert.ExactAsync(await provider.Http.PostAsJsonAsync($"api/oidc/requests/{requestId}/login", malformed), HttpStatusCode.BadRequest, "invalid_request");

        var redirectTo = new Uri(await new OidcLoginClient(provider.Http).LoginAsync(card, requestId));
        Assert.NotNull(HttpUtility.ParseQueryString(redirectTo.Query)["code"]);
    }

    [Fact]
    public async Task A_certificate_that_is_not_DER_is_invalid_request_and_leaves_the_request_usable()
    {
        var card = provider.Card;
        var (requestId, challengeId, challenge) = await OpenRequestAsync();
        var body = new { challengeId, certificate = Convert.ToBase64String(new byte[64]), signature = Convert.ToBase64String(card.SignWithAuthenticationKey(challenge)) };

        await ProblemAssert.ExactAsync(await provider.Http.PostAsJsonAsync($"api/oidc/requests/{requestId}/login", body), HttpStatusCode.BadRequest, "invalid_request");

        Assert.Contains("code=", await new OidcLoginClient(provider.Http).LoginAsync(card, requestId), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_requests_challenge_cannot_open_a_citizen_session()
    {
        var card = provider.Card;
        var (_, challengeId, challenge) = await OpenRequestAsync();

        await ProblemAssert.ExactAsync(await provider.Http.PostAsJsonAsync("api/auth/sessions", MyKeyApiClient.LoginBody(card, challengeId, challenge)), HttpStatusCode.Conflict, "challenge_purpose_mismatch");
    }

    [Fact]
    public async Task Prompt_none_is_login_required_with_the_state()
    {
        string? state = null;
        var query = await AuthorizeErrorAsync(p =>
        {
            p["prompt"] = "none";
            state = p["state"];
        });

        Assert.Equal("login_required", query["error"]);
        Assert.Equal(state, query["state"]);
    }

    [Theory]
    [InlineData("prompt", "none login")]
    [InlineData("prompt", "create")]
    [InlineData("max_age", "-1")]
    [InlineData("max_age", "an hour")]
    public async Task A_bad_prompt_or_max_age_is_invalid_request(string name, string value)
    {
        var query = await AuthorizeErrorAsync(p => p[name] = value);

        Assert.Equal("invalid_request", query["error"]);
    }

    [Fact]
    public async Task Prompt_login_with_max_age_signs_in_and_the_ID_token_says_when()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + (long)provider.Clock.Offset.TotalSeconds;
        var verifier = OidcProtocol.NewVerifier();
        var requestId = await OidcLoginClient.StartAsync(_protocol.AuthorizeUrl(OidcFixture.RadioClient, provider.RadioRedirectUri, verifier, change: p =>
        {
            p["prompt"] = "login consent";
            p["max_age"] = "0";
        }));
        var code = HttpUtility.ParseQueryString(new Uri(await new OidcLoginClient(provider.Http).LoginAsync(provider.Card, requestId)).Query)["code"]!;

        using var response = await _protocol.TokenAsync(code, verifier);
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, tokens.ToString());
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.InRange(idToken.GetPayloadValue<long>("auth_time"), before - 1, idToken.GetPayloadValue<long>("iat"));
    }

    [Fact]
    public async Task Discovery_lists_the_prompt_values()
    {
        var discovery = await provider.Http.GetFromJsonAsync<JsonElement>("api/.well-known/openid-configuration");

        Assert.Equal(["none", "login", "consent", "select_account"], discovery.GetProperty("prompt_values_supported").EnumerateArray().Select(v => v.GetString()!));
    }
}
