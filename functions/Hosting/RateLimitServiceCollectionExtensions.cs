using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Functions.Http;

namespace ServerlessMyKey.Functions.Hosting;

public static partial class RateLimitServiceCollectionExtensions
{
    /// <summary>Per-client-address limits on unauthenticated routes (<c>RateLimits:*</c>, docs/rate-limits.md).</summary>
    public static IServiceCollection AddRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(new ClientRateLimiter(ReadOptions(configuration)));
        return services;
    }

    public static RateLimitOptions ReadOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection("RateLimits");
        var defaults = new RateLimitOptions();
        var header = section["ClientAddressHeader"] ?? defaults.ClientAddressHeader;
        if (header.Length > 0 && !HeaderName().IsMatch(header))
        {
            throw new InvalidOperationException("Configuration key 'RateLimits:ClientAddressHeader' must be an HTTP header name (letters, digits, '-'), or empty.");
        }

        return new RateLimitOptions
        {
            Enabled = section["Enabled"] is not { Length: > 0 } enabled
                ? defaults.Enabled
                : bool.TryParse(enabled, out var value) ? value : throw new InvalidOperationException("Configuration key 'RateLimits:Enabled' must be true or false."),
            PermitsPerMinute = Whole(section, "PermitsPerMinute", defaults.PermitsPerMinute, 1, 60_000),
            Burst = Whole(section, "Burst", defaults.Burst, 1, 10_000),
            ClientAddressHeader = header,
            OidcLogin = Allowance(section, "OidcLogin", defaults.OidcLogin),
            OidcToken = Allowance(section, "OidcToken", defaults.OidcToken),
        };
    }

    private static RateLimitAllowance Allowance(IConfigurationSection section, string name, RateLimitAllowance defaults) => new(
        Whole(section, name + ":PermitsPerMinute", defaults.PermitsPerMinute, 1, 60_000),
        Whole(section, name + ":Burst", defaults.Burst, 1, 10_000));

    private static int Whole(IConfigurationSection section, string key, int defaultValue, int min, int max)
    {
        var raw = section[key];
        if (string.IsNullOrEmpty(raw))
        {
            return defaultValue;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException($"Configuration key 'RateLimits:{key}' must be a whole number between {min} and {max}.");
    }

    [GeneratedRegex(@"\A[A-Za-z0-9-]{1,64}\z")]
    private static partial Regex HeaderName();
}
