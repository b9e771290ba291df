using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Oidc;
using ServerlessMyKey.Functions.Http;

namespace ServerlessMyKey.Functions.Oidc;

/// <summary>
/// How the OAuth endpoints answer: JSON with snake_case members, RFC 6749 §5.2 error bodies (not
/// problem+json), <c>WWW-Authenticate</c> on 401s, redirects for the authorization endpoint. Anything
/// unexpected is still a 500 that reveals nothing, as on every other route.
/// </summary>
public static class OAuthResults
{
    public static Task<IActionResult> RunAsync(HttpRequest request, ILogger logger, Func<Task<IActionResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(handler);
        return ApiHandler.RunAsync(request, logger, async () =>
        {
            try
            {
                return await handler();
            }
            catch (OAuthException ex)
            {
                logger.LogInformation("OAuth request {Method} {Path} refused with {Error}", request.Method, request.Path.Value, ex.Error);
                return Error(request, ex);
            }
        });
    }

    private static JsonBodyResult Error(HttpRequest request, OAuthException ex)
    {
        var result = new JsonBodyResult(new Dictionary<string, string> { ["error"] = ex.Error, ["error_description"] = ex.Description }, ex.Status);
        if (ex.Error == OAuthErrors.InvalidClient && request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            result.Headers["WWW-Authenticate"] = "Basic realm=\"oidc\"";
        }
        else if (ex.Error == OAuthErrors.InvalidToken)
        {
            result.Headers["WWW-Authenticate"] = "Bearer error=\"invalid_token\"";
        }

        return result;
    }

    /// <summary>
    /// The OAuth endpoints' answer to a client address over its allowance: <c>429</c> with <c>Retry-After</c> and an OAuth
    /// error body (<c>temporarily_unavailable</c>), not problem+json; never a redirect, since nothing of the request was read.
    /// </summary>
    public static IActionResult? RateLimited(HttpRequest request, ClientRateLimiter limiter, string policy)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        if (limiter.RetryAfterSeconds(request, policy) is not { } seconds)
        {
            return null;
        }

        var result = new JsonBodyResult(
            new Dictionary<string, string> { ["error"] = OAuthErrors.TemporarilyUnavailable, ["error_description"] = $"Too many requests from this address; retry in {seconds} s." },
            StatusCodes.Status429TooManyRequests);
        result.Headers["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>Single-valued parameters (RFC 6749 §3.1: a parameter sent twice is an error).</summary>
    public static Dictionary<string, string> SingleValued(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> parameters)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            if (value.Count != 1 || name.Length > 64 || value[0]!.Length > 8192)
            {
                throw OAuthException.InvalidRequest($"Parameter '{(name.Length > 64 ? name[..64] : name)}' must appear once and be at most 8192 characters.");
            }

            values[name] = value[0]!;
        }

        return values;
    }
}

/// <summary>A 302 to <paramref name="location"/> that no cache keeps.</summary>
public sealed class FoundResult(string location) : IActionResult
{
    public string Location { get; } = location;

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = Location;
        response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }
}
