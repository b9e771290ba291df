using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;

namespace ServerlessMyKey.EndToEnd.Tests.Oidc;

/// <summary>The OAuth messages of the code flow written out by hand, so that refusal tests can break one thing at a time.</summary>
public sealed class OidcProtocol(OidcFixture provider)
{
    private static readonly HttpClient Browser = new(new HttpClientHandler { AllowAutoRedirect = false });

    public static string NewVerifier() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string ChallengeOf(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>The authorization URL with every parameter the provider needs; <paramref name="change"/> alters them.</summary>
    public Uri AuthorizeUrl(string clientId, string redirectUri, string verifier, string scope = "openid", Action<Dictionary<string, string?>>? change = null)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = scope,
            ["state"] = "st-" + Guid.NewGuid().ToString("N"),
            ["nonce"] = "n-" + Guid.NewGuid().ToString("N"),
            ["code_challenge"] = ChallengeOf(verifier),
            ["code_challenge_method"] = "S256",
        };
        change?.Invoke(parameters);
        var query = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));
        return new Uri(provider.Issuer + "/oidc/authorize?" + query);
    }

    public static Task<HttpResponseMessage> GetAsync(Uri url) => Browser.GetAsync(url);

    /// <summary>The whole front channel with the card: a code for <paramref name="clientId"/>, and the verifier that redeems it.</summary>
    public async Task<(string Code, string Verifier, string State)> CodeAsync(VirtualCard card, string clientId, string redirectUri, string scope = "openid")
    {
        var verifier = NewVerifier();
        var requestId = await OidcLoginClient.StartAsync(AuthorizeUrl(clientId, redirectUri, verifier, scope));
        var redirectTo = new Uri(await new OidcLoginClient(provider.Http).LoginAsync(card, requestId));
        var query = HttpUtility.ParseQueryString(redirectTo.Query);
        return (query["code"]!, verifier, query["state"]!);
    }

    /// <summary>A token request for the radio client (client_secret_basic) unless told otherwise.</summary>
    public async Task<HttpResponseMessage> TokenAsync(string code, string verifier, string? redirectUri = null, string? secret = OidcFixture.RadioSecret, string clientId = OidcFixture.RadioClient, Dictionary<string, string>? extra = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri ?? provider.RadioRedirectUri,
            ["code_verifier"] = verifier,
        };
        foreach (var (name, value) in extra ?? [])
        {
            form[name] = value;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/oidc/token") { Content = new FormUrlEncodedContent(form) };
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + secret)));
        }

        return await provider.Http.SendAsync(request);
    }

    /// <summary>A bank client assertion (private_key_jwt); <paramref name="audience"/> and <paramref name="jti"/> may be broken.</summary>
    public string BankAssertion(string? audience = null, string? jti = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = OidcFixture.BankClient,
            Audience = audience ?? provider.Issuer + "/oidc/token",
            Claims = new Dictionary<string, object> { ["sub"] = OidcFixture.BankClient, ["jti"] = jti ?? Guid.NewGuid().ToString("N") },
            Expires = DateTime.UtcNow.AddMinutes(2),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(provider.BankKey) { KeyId = OidcFixture.BankKeyId }, SecurityAlgorithms.RsaSha256),
        });

    public static Dictionary<string, string> AssertionForm(string assertion) => new()
    {
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    };
}
