using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Oidc;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Oidc;

/// <summary>
/// The login step between the authorization endpoint and the code (API.md "Relying parties"): what
/// the login page, an app or <c>mykey oidc-login</c> calls. Errors here are problem+json: the caller
/// is our own page or app, not the relying party.
/// </summary>
public sealed class OidcLoginFunctions(OidcLogin login, ClientRateLimiter rateLimits, ILogger<OidcLoginFunctions> logger)
{
    private const string Tag = "OpenID Connect";

    [Function("OidcGetRequest")]
    [ApiOperation(Tag, "The authorization request the login page shows: client, scopes to consent to, and the challenge for the card.", Responses = [200, 404, 409, 410, 429])]
    public Task<IActionResult> GetRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "oidc/requests/{requestId}")] HttpRequest request,
        string requestId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
            rateLimits.Refuse(request, ClientRateLimiter.OidcLoginPolicy) ?? ApiJson.Ok(await login.DescribeAsync(requestId, cancellationToken)));

    [Function("OidcLogin")]
    [ApiOperation(Tag, "The card's signatures over the request's challenge (authentication; with jpki_basic4 also signing) complete the request: the redirect to the client with a code.",
        RequestBody = typeof(OidcLoginProof), Responses = [200, 400, 401, 404, 409, 410, 429])]
    public Task<IActionResult> Login(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "oidc/requests/{requestId}/login")] HttpRequest request,
        string requestId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            if (rateLimits.Refuse(request, ClientRateLimiter.OidcLoginPolicy) is { } refused)
            {
                return refused;
            }

            var proof = await RequestBody.ReadJsonAsync<OidcLoginProof>(request, cancellationToken);
            return ApiJson.Ok(new RedirectResponse(await login.LoginAsync(requestId, proof, cancellationToken)));
        });

    [Function("OidcDeny")]
    [ApiOperation(Tag, "The holder declines: the redirect to the client with error=access_denied.", Responses = [200, 404, 409, 410, 429])]
    public Task<IActionResult> Deny(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "oidc/requests/{requestId}/denial")] HttpRequest request,
        string requestId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            if (rateLimits.Refuse(request, ClientRateLimiter.OidcLoginPolicy) is { } refused)
            {
                return refused;
            }

            _ = await RequestBody.ReadBytesAsync(request, cancellationToken); // no body is expected, but none past the limit either
            return ApiJson.Ok(new RedirectResponse(await login.DenyAsync(requestId, cancellationToken)));
        });

    [Function("OidcLoginPage")]
    [ApiOperation(Tag, "The minimal login page (HTML) the authorization endpoint sends the browser to; the web front end replaces it (Oidc:LoginPageUrl).", Query = ["requestId"])]
    public Task<IActionResult> LoginPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "oidc/login")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, () => Task.FromResult<IActionResult>(new TextBodyResult(LoginPageHtml.Page, "text/html")));
}

/// <summary>Where the browser goes next.</summary>
public sealed record RedirectResponse(string RedirectTo);
