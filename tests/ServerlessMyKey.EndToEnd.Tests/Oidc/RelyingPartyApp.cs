using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ServerlessMyKey.EndToEnd.Tests.Oidc;

/// <summary>
/// A relying party as a partner would write it: ASP.NET Core with
/// Microsoft.AspNetCore.Authentication.OpenIdConnect configured from the provider's discovery
/// document (Authority), no code of ours. Two schemes, one per registered client: the bank
/// authenticates with <c>private_key_jwt</c> (the handler's documented client-assertion hook), the
/// radio service with <c>client_secret_basic</c>. <c>GET /login/{scheme}</c> signs in, <c>GET /me</c>
/// shows the claims.
/// </summary>
public sealed class RelyingPartyApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RelyingPartyApp(WebApplication app) => _app = app;

    public static async Task<RelyingPartyApp> StartAsync(OidcFixture provider, params string[] scopes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(provider.RelyingPartyBase);
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAuthorization();
        builder.Services
            .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest)
            .AddOpenIdConnect("bank", o =>
            {
                Configure(o, provider, OidcFixture.BankClient, "/signin-bank", scopes);
                o.Events.OnAuthorizationCodeReceived = async context =>
                {
                    var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);

                    // RFC 7523 client assertion, as Microsoft documents for certificate credentials.
                    var assertion = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
                    {
                        Issuer = OidcFixture.BankClient,
                        Audience = configuration.TokenEndpoint,
                        Claims = new Dictionary<string, object> { ["sub"] = OidcFixture.BankClient, ["jti"] = Guid.NewGuid().ToString("N") },
                        Expires = DateTime.UtcNow.AddMinutes(2),
                        SigningCredentials = new SigningCredentials(new RsaSecurityKey(provider.BankKey) { KeyId = OidcFixture.BankKeyId }, SecurityAlgorithms.RsaSha256),
                    });
                    context.TokenEndpointRequest!.ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
                    context.TokenEndpointRequest.ClientAssertion = assertion;
                };
            })
            .AddOpenIdConnect("radio", o =>
            {
                Configure(o, provider, OidcFixture.RadioClient, "/signin-radio", scopes);
                o.Events.OnAuthorizationCodeReceived = context =>
                {
                    // client_secret_basic: the handler posts the secret in the body unless told otherwise.
                    context.TokenEndpointRequest!.ClientSecret = null;
                    context.Backchannel.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                        "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(OidcFixture.RadioClient + ":" + OidcFixture.RadioSecret)));
                    return Task.CompletedTask;
                };
            });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/login/{scheme}", (string scheme) => Results.Challenge(new AuthenticationProperties { RedirectUri = "/me" }, [scheme]));
        app.MapGet("/me", (ClaimsPrincipal user) => Results.Json(user.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.First().Value)))
            .RequireAuthorization();
        await app.StartAsync();
        return new RelyingPartyApp(app);
    }

    private static void Configure(OpenIdConnectOptions o, OidcFixture provider, string clientId, string callbackPath, string[] scopes)
    {
        o.Authority = provider.Issuer;
        o.RequireHttpsMetadata = false; // loopback test only
        o.ClientId = clientId;
        o.CallbackPath = callbackPath;
        o.ResponseType = "code";
        o.ResponseMode = "query";
        o.UsePkce = true;
        o.Scope.Clear();
        foreach (var scope in scopes)
        {
            o.Scope.Add(scope);
        }

        o.GetClaimsFromUserInfoEndpoint = true;
        o.MapInboundClaims = false;
        o.ClaimActions.Remove("iss"); // kept, so that the test sees whom the ID token named
        o.ClaimActions.Remove("aud");
        o.ClaimActions.MapUniqueJsonKey("birthdate", "birthdate");
        o.ClaimActions.MapUniqueJsonKey("gender", "gender");
        o.ClaimActions.MapJsonSubKey("address", "address", "formatted");
        o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
