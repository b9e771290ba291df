using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace ServerlessMyKey.DevHost.Http;

/// <summary>
/// <c>Cors:AllowedOrigins</c>: the exact origins (scheme, host and port; comma-separated) whose
/// pages may call the API from a browser, as <c>siteConfig.cors.allowedOrigins</c> does for the
/// Function App in Azure. No wildcard, no credentials: the front ends send their bearer token or
/// API key in headers, never cookies, so no origin ever needs <c>Access-Control-Allow-Credentials</c>.
/// </summary>
public sealed class CorsSettings
{
    public const string Key = "Cors:AllowedOrigins";

    /// <summary>The request headers the API reads (preflight answers these).</summary>
    public static readonly IReadOnlyList<string> AllowedHeaders = ["Authorization", "Content-Type", "Idempotency-Key", "x-api-key"];

    public static readonly IReadOnlyList<string> AllowedMethods = ["GET", "POST", "PUT", "DELETE"];

    private CorsSettings(IReadOnlyList<string> origins) => Origins = origins;

    public IReadOnlyList<string> Origins { get; }

    /// <summary>Reads and checks the setting; a wildcard, a path or a malformed origin stops the start naming the key.</summary>
    public static CorsSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var raw = configuration[Key] ?? string.Empty;
        var origins = new List<string>();
        foreach (var entry in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            origins.Add(ParseOrigin(entry));
        }

        return new CorsSettings(origins);
    }

    public void Apply(CorsPolicyBuilder policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.WithOrigins([.. Origins])
            .WithHeaders([.. AllowedHeaders])
            .WithMethods([.. AllowedMethods])
            .WithExposedHeaders("Location")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
    }

    private static string ParseOrigin(string entry)
    {
        if (entry.Contains('*', StringComparison.Ordinal)
            || !Uri.TryCreate(entry, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath != "/" || entry.EndsWith('/') || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new FormatException($"Configuration key '{Key}': '{entry}' is not an exact origin (scheme://host[:port], no path, no wildcard).");
        }

        return uri.GetLeftPart(UriPartial.Authority);
    }
}
