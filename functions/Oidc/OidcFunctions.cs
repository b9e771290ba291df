using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Oidc;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Oidc;

/// <summary>The OpenID Connect provider's OAuth endpoints (API.md "Relying parties", docs/oidc.md).</summary>
public sealed class OidcFunctions(
    OidcOptions options,
    AuthorizationRequests authorizations,
    TokenEndpoint tokens,
    Userinfo userinfo,
    IOidcStore store,
    ClientRateLimiter rateLimits,
    TimeProvider timeProvider,
    ILogger<OidcFunctions> logger)
{
    private const string Tag = "OpenID Connect";

    [Function("OidcDiscovery")]
    [ApiOperation(Tag, "OpenID Connect Discovery: the provider's endpoints and what it supports.")]
    public Task<IActionResult> Discovery(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ".well-known/openid-configuration")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, () => Task.FromResult<IActionResult>(ApiJson.Ok(DiscoveryDocument.For(options))));

    [Function("OidcAuthorize")]
    [ApiOperation(Tag, "Authorization endpoint (code flow, PKCE S256): 302 to the login page, or to the redirect URI with an OAuth error; 400 with an OAuth error while the client or redirect URI is unverified.",
        Responses = [302, 400, 429], Query = ["response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "response_mode", "prompt", "max_age"])]
    public Task<IActionResult> Authorize(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "oidc/authorize")] HttpRequest request,
        CancellationToken cancellationToken) =>
        OAuthResults.RunAsync(request, logger, async () =>
            OAuthResults.RateLimited(request, rateLimits, ClientRateLimiter.OidcLoginPolicy)
            ?? new FoundResult(await authorizations.AuthorizeAsync(OAuthResults.SingleValued(request.Query), cancellationToken)));

    [Function("OidcToken")]
    [ApiOperation(Tag, "Token endpoint (application/x-www-form-urlencoded, client_secret_basic or private_key_jwt): exchanges a code for an ID token and a userinfo access token.",
        Responses = [200, 400, 401, 429])]
    public Task<IActionResult> Token(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "oidc/token")] HttpRequest request,
        CancellationToken cancellationToken) =>
        OAuthResults.RunAsync(request, logger, async () =>
        {
            if (OAuthResults.RateLimited(request, rateLimits, ClientRateLimiter.OidcTokenPolicy) is { } refused)
            {
                return refused;
            }

            var form = await ReadFormAsync(request, cancellationToken);
            var issued = await tokens.ExchangeAsync(request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null, form, cancellationToken);
            var result = ApiJson.Ok(new Dictionary<string, object>
            {
                ["access_token"] = issued.AccessToken,
                ["token_type"] = issued.TokenType,
                ["expires_in"] = issued.ExpiresIn,
                ["id_token"] = issued.IdToken,
                ["scope"] = issued.Scope,
            });
            result.Headers["Pragma"] = "no-cache";
            return result;
        });

    [Function("OidcUserinfo")]
    [ApiOperation(Tag, "Userinfo endpoint: the pairwise sub and, with jpki_basic4, name, address, birthdate and gender (Bearer access token of this provider).", Responses = [200, 401])]
    public Task<IActionResult> UserinfoEndpoint(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "oidc/userinfo")] HttpRequest request,
        CancellationToken cancellationToken) =>
        OAuthResults.RunAsync(request, logger, async () =>
            ApiJson.Ok(await userinfo.GetAsync(request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null, cancellationToken)));

    [Function("CleanUpOidcState")]
    public async Task CleanUp([TimerTrigger("0 */15 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteExpiredAsync(timeProvider.GetUtcNow() - TimeSpan.FromMinutes(5), cancellationToken);
        logger.LogInformation("Deleted {Count} expired OpenID Connect rows", deleted);
    }

    private static async Task<Dictionary<string, string>> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = await RequestBody.ReadBytesAsync(request, cancellationToken);
        }
        catch (ServiceException ex)
        {
            throw new OAuthException(OAuthErrors.InvalidRequest, ex.Detail, ex.Error.Status);
        }

        var mediaType = (request.ContentType ?? string.Empty).Split(';', 2)[0].Trim();
        if (!mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            throw OAuthException.InvalidRequest("The token request must be application/x-www-form-urlencoded.");
        }

        return OAuthResults.SingleValued(QueryHelpers.ParseQuery("?" + System.Text.Encoding.UTF8.GetString(body)));
    }
}
