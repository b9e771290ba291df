using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Web;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Oidc;

/// <summary>
/// The code flow over the DevHost with a valid baseline, then one thing broken per test, asserting
/// the exact OAuth error (RFC 6749 §4.1.2.1, §5.2) or problem code of the login steps.
/// </summary>
public sealed class OidcRefusalTests(OidcFixture provider) : IClassFixture<OidcFixture>
{
    private readonly OidcProtocol _protocol = new(provider);

    private VirtualCard NewCard() => provider.Card;

    private static async Task<JsonElement> AssertOAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {error}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(error, json.GetProperty("error").GetString());
        return json;
    }

    [Fact]
    public async Task Baseline_code_gives_tokens_bound_to_the_client_and_userinfo_answers_the_same_sub()
    {
        var (code, verifier, state) = await _protocol.CodeAsync(NewCard(), OidcFixture.RadioClient, provider.RadioRedirectUri);
        Assert.StartsWith("st-", state, StringComparison.Ordinal);

        using var response = await _protocol.TokenAsync(code, verifier);
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, tokens.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        var idToken = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal([OidcFixture.RadioClient], idToken.Audiences);
        Assert.Equal("ES256", idToken.Alg);
        var accessToken = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(tokens.GetProperty("access_token").GetString());
        Assert.Equal("at+jwt", accessToken.Typ);

        using var userinfo = new HttpRequestMessage(HttpMethod.Get, "api/oidc/userinfo");
        userinfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken.EncodedToken);
        var claims = await (await provider.Http.SendAsync(userinfo)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(idToken.Subject, claims.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Tokens_of_the_provider_are_never_accepted_by_the_citizen_API()
    {
        var (code, verifier, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.RadioClient, provider.RadioRedirectUri);
        var tokens = await (await _protocol.TokenAsync(code, verifier)).Content.ReadFromJsonAsync<JsonElement>();

        foreach (var token in new[] { tokens.GetProperty("access_token").GetString(), tokens.GetProperty("id_token").GetString() })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await ProblemAssert.ExactAsync(await provider.Http.SendAsync(request), HttpStatusCode.Unauthorized, "unauthenticated");
        }
    }

    [Fact]
    public async Task A_citizen_access_token_is_not_a_userinfo_token()
    {
        var session = await new MyKeyApiClient(provider.Http).LoginAsync(NewCard());
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/oidc/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("accessToken").GetString());

        using var response = await provider.Http.SendAsync(request);

        await AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_bearer_token_whose_header_repeats_a_member_is_invalid_token()
    {
        static string Part(string json) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json));
        var token = Part("""{"alg":"ES256","alg":"ES256","typ":"at+jwt","kid":"k"}""") + "." + Part("{}") + "." + System.Buffers.Text.Base64Url.EncodeToString(new byte[64]);
        using var userinfo = new HttpRequestMessage(HttpMethod.Get, "api/oidc/userinfo");
        userinfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        await AssertOAuthErrorAsync(await provider.Http.SendAsync(userinfo), HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Wrong_code_verifier_is_invalid_grant()
    {
        var (code, _, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.RadioClient, provider.RadioRedirectUri);

        await AssertOAuthErrorAsync(await _protocol.TokenAsync(code, OidcProtocol.NewVerifier()), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Reused_code_is_invalid_grant_and_revokes_the_first_access_token()
    {
        var (code, verifier, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.RadioClient, provider.RadioRedirectUri);
        var first = await (await _protocol.TokenAsync(code, verifier)).Content.ReadFromJsonAsync<JsonElement>();

        await AssertOAuthErrorAsync(await _protocol.TokenAsync(code, verifier), HttpStatusCode.BadRequest, "invalid_grant");

        using var userinfo = new HttpRequestMessage(HttpMethod.Get, "api/oidc/userinfo");
        userinfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", first.GetProperty("access_token").GetString());
        await AssertOAuthErrorAsync(await provider.Http.SendAsync(userinfo), HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Concurrent_redemptions_of_one_code_leave_no_usable_token()
    {
        var (code, verifier, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.RadioClient, provider.RadioRedirectUri);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _protocol.TokenAsync(code, verifier)));

        // One redemption wins the code; every other is a replay, which revokes what the winner got
        // (or stops it from being issued at all when the replay is faster).
        var issued = responses.Where(r => r.IsSuccessStatusCode).ToList();
        Assert.True(issued.Count <= 1, $"{issued.Count} redemptions got tokens");
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest) >= 9);
        foreach (var response in issued)
        {
            using var userinfo = new HttpRequestMessage(HttpMethod.Get, "api/oidc/userinfo");
            userinfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString());
            await AssertOAuthErrorAsync(await provider.Http.SendAsync(userinfo), HttpStatusCode.Unauthorized, "invalid_token");
        }
    }

    [Fact]
    public async Task Wrong_redirect_uri_at_the_token_endpoint_is_invalid_grant()
    {
        var (code, verifier, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.RadioClient, provider.RadioRedirectUri);

        await AssertOAuthErrorAsync(await _protocol.TokenAsync(code, verifier, redirectUri: provider.RadioRedirectUri + "/"), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Unregistered_redirect_uri_is_shown_not_redirected()
    {
        var url = _protocol.AuthorizeUrl(OidcFixture.RadioClient, provider.RadioRedirectUri + "?next=evil", OidcProtocol.NewVerifier());

        using var response = await OidcProtocol.GetAsync(url);

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Missing_PKCE_is_redirected_back_with_invalid_request_and_the_state()
    {
        string? state = null;
        var url = _protocol.AuthorizeUrl(OidcFixture.RadioClient, provider.RadioRedirectUri, OidcProtocol.NewVerifier(), change: p =>
        {
            p["code_challenge_method"] = "plain";
            state = p["state"];
        });

        using var response = await OidcProtocol.GetAsync(url);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(provider.RadioRedirectUri + "?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        var query = HttpUtility.ParseQueryString(response.Headers.Location!.Query);
        Assert.Equal("invalid_request", query["error"]);
        Assert.Equal(state, query["state"]);
    }

    [Fact]
    public async Task Expired_code_is_invalid_grant()
    {
        var (code, verifier, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.RadioClient, provider.RadioRedirectUri);
        provider.Clock.Offset = TimeSpan.FromSeconds(61);
        try
        {
            await AssertOAuthErrorAsync(await _protocol.TokenAsync(code, verifier), HttpStatusCode.BadRequest, "invalid_grant");
        }
        finally
        {
            provider.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task Wrong_client_secret_is_invalid_client_with_a_Basic_challenge()
    {
        var (code, verifier, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.RadioClient, provider.RadioRedirectUri);

        using var response = await _protocol.TokenAsync(code, verifier, secret: OidcFixture.RadioSecret[..^1] + "1");

        await AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Client_secret_in_the_body_is_invalid_client()
    {
        var (code, verifier, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.RadioClient, provider.RadioRedirectUri);

        await AssertOAuthErrorAsync(
            await _protocol.TokenAsync(code, verifier, secret: null, extra: new() { ["client_id"] = OidcFixture.RadioClient, ["client_secret"] = OidcFixture.RadioSecret }),
            HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Code_of_another_client_is_invalid_grant()
    {
        var (code, verifier, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.BankClient, provider.BankRedirectUri);

        await AssertOAuthErrorAsync(await _protocol.TokenAsync(code, verifier), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Private_key_jwt_baseline_then_replayed_jti_and_wrong_audience_are_invalid_client()
    {
        var card = NewCard();
        var assertion = _protocol.BankAssertion();
        var (code, verifier, _) = await _protocol.CodeAsync(card, OidcFixture.BankClient, provider.BankRedirectUri);
        using var ok = await _protocol.TokenAsync(code, verifier, provider.BankRedirectUri, secret: null, extra: OidcProtocol.AssertionForm(assertion));
        Assert.True(ok.IsSuccessStatusCode, await ok.Content.ReadAsStringAsync());

        var (second, secondVerifier, _) = await _protocol.CodeAsync(card, OidcFixture.BankClient, provider.BankRedirectUri);
        await AssertOAuthErrorAsync(
            await _protocol.TokenAsync(second, secondVerifier, provider.BankRedirectUri, secret: null, extra: OidcProtocol.AssertionForm(assertion)),
            HttpStatusCode.Unauthorized, "invalid_client");
        await AssertOAuthErrorAsync(
            await _protocol.TokenAsync(second, secondVerifier, provider.BankRedirectUri, secret: null, extra: OidcProtocol.AssertionForm(_protocol.BankAssertion(audience: provider.Issuer))),
            HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Basic4_without_the_signing_signature_is_signing_signature_required()
    {
        var card = NewCard();
        var requestId = await OidcLoginClient.StartAsync(_protocol.AuthorizeUrl(OidcFixture.RadioClient, provider.RadioRedirectUri, OidcProtocol.NewVerifier(), "openid jpki_basic4"));
        var request = await new OidcLoginClient(provider.Http).GetRequestAsync(requestId);
        var challenge = System.Buffers.Text.Base64Url.DecodeFromChars(request.GetProperty("challenge").GetString()!);

        using var response = await provider.Http.PostAsJsonAsync($"api/oidc/requests/{requestId}/login", MyKeyApiClient.LoginBody(card, request.GetProperty("challengeId").GetString()!, challenge));

        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "signing_signature_required");
    }

    [Fact]
    public async Task Basic4_with_another_persons_signing_certificate_is_identity_mismatch()
    {
        // The holder's own signing certificate puts their 基本4情報 on record for their MyKey ID.
        var holder = provider.Pki.IssueCard(new CardHolder("中村　花子", "大阪府大阪市北区梅田1-1-1", new DateOnly(1985, 3, 3), "female"));
        await _protocol.CodeAsync(holder, OidcFixture.RadioClient, provider.RadioRedirectUri, "openid jpki_basic4");
        var someoneElse = provider.Pki.IssueCard(new CardHolder("小林　次郎", "北海道札幌市中央区北1条西2-1", new DateOnly(1950, 12, 24), "male"));

        var requestId = await OidcLoginClient.StartAsync(_protocol.AuthorizeUrl(OidcFixture.RadioClient, provider.RadioRedirectUri, OidcProtocol.NewVerifier(), "openid jpki_basic4"));
        var request = await new OidcLoginClient(provider.Http).GetRequestAsync(requestId);
        var challenge = System.Buffers.Text.Base64Url.DecodeFromChars(request.GetProperty("challenge").GetString()!);
        using var response = await provider.Http.PostAsJsonAsync($"api/oidc/requests/{requestId}/login", new
        {
            challengeId = request.GetProperty("challengeId").GetString(),
            certificate = Convert.ToBase64String(holder.AuthenticationCertificate.RawData),
            signature = Convert.ToBase64String(holder.SignWithAuthenticationKey(challenge)),
            signing = new { certificate = Convert.ToBase64String(someoneElse.SigningCertificate.RawData), signature = Convert.ToBase64String(someoneElse.SignWithSigningKey(challenge)) },
        });

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Forbidden, "identity_mismatch");
    }

    [Fact]
    public async Task Client_assertion_whose_payload_is_not_json_is_invalid_client()
    {
        var (code, verifier, _) = await _protocol.CodeAsync(NewCard(), OidcFixture.BankClient, provider.BankRedirectUri);
        var assertion = "eyJhbGciOiJSUzI1NiJ9." + System.Buffers.Text.Base64Url.EncodeToString("not json"u8) + ".c2lnbmF0dXJl";

        await AssertOAuthErrorAsync(
            await _protocol.TokenAsync(code, verifier, provider.BankRedirectUri, secret: null, extra: OidcProtocol.AssertionForm(assertion)),
            HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task A_completed_request_cannot_log_in_again()
    {
        var card = NewCard();
        var requestId = await OidcLoginClient.StartAsync(_protocol.AuthorizeUrl(OidcFixture.RadioClient, provider.RadioRedirectUri, OidcProtocol.NewVerifier()));
        await new OidcLoginClient(provider.Http).LoginAsync(card, requestId);

        await ProblemAssert.ExactAsync(await provider.Http.GetAsync($"api/oidc/requests/{requestId}"), HttpStatusCode.Conflict, "authorization_request_used");
    }

    [Fact]
    public async Task Declining_redirects_with_access_denied()
    {
        var requestId = await OidcLoginClient.StartAsync(_protocol.AuthorizeUrl(OidcFixture.RadioClient, provider.RadioRedirectUri, OidcProtocol.NewVerifier()));

        var answer = await (await provider.Http.PostAsync($"api/oidc/requests/{requestId}/denial", null)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("access_denied", HttpUtility.ParseQueryString(new Uri(answer.GetProperty("redirectTo").GetString()!).Query)["error"]);
    }

    [Fact]
    public async Task Discovery_names_the_endpoints_under_the_issuer_and_only_what_is_supported()
    {
        var discovery = await provider.Http.GetFromJsonAsync<JsonElement>("api/.well-known/openid-configuration");

        Assert.Equal(provider.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(provider.Issuer + "/oidc/token", discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal(["S256"], discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["pairwise"], discovery.GetProperty("subject_types_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["code"], discovery.GetProperty("response_types_supported").EnumerateArray().Select(e => e.GetString()));
    }
}
