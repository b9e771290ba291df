using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Auth;
using ServerlessMyKey.Core.Auth;

namespace ServerlessMyKey.Functions.Hosting;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// JPKI login: challenges and MyKey IDs in Table Storage, ES256 access tokens from the key
    /// service, and the citizen bearer-token authenticator every citizen route uses.
    /// </summary>
    public static IServiceCollection AddLogin(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = ReadOptions(configuration);
        services.AddSingleton(options);
        services.AddSingleton<IChallengeStore, TableChallengeStore>();
        services.AddSingleton<IMyKeyIdStore, TableMyKeyIdStore>();
        services.AddSingleton<LoginChallenges>();
        services.AddSingleton<MyKeyIds>();
        services.AddSingleton<CardholderIdentities>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<ICitizenAuthenticator, CitizenTokenAuthenticator>();
        services.AddSingleton<JpkiLogin>();
        return services;
    }

    internal static AuthOptions ReadOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection("Auth");
        var defaults = new AuthOptions();
        var issuer = section["Issuer"] is { Length: > 0 } configured
            ? configured
            : configuration["WEBSITE_HOSTNAME"] is { Length: > 0 } host ? $"https://{host}/api" : defaults.Issuer;
        return new AuthOptions
        {
            ChallengeLifetime = TimeSpan.FromSeconds(Seconds(section, "ChallengeTtlSeconds", (int)defaults.ChallengeLifetime.TotalSeconds, 10, 3600)),
            TokenLifetime = TimeSpan.FromSeconds(Seconds(section, "TokenLifetimeSeconds", (int)defaults.TokenLifetime.TotalSeconds, 60, 86_400)),
            ClockSkew = TimeSpan.FromSeconds(Seconds(section, "ClockSkewSeconds", (int)defaults.ClockSkew.TotalSeconds, 0, 600)),
            JwksRotationOverlap = TimeSpan.FromSeconds(Seconds(section, "JwksRotationOverlapSeconds", (int)defaults.JwksRotationOverlap.TotalSeconds, 0, 2_592_000)),
            Audience = section["Audience"] is { Length: > 0 } audience ? audience : defaults.Audience,
            Issuer = issuer,
        };
    }

    private static int Seconds(IConfigurationSection section, string key, int defaultValue, int min, int max)
    {
        var raw = section[key];
        if (string.IsNullOrEmpty(raw))
        {
            return defaultValue;
        }

        return int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException($"Configuration key 'Auth:{key}' must be a whole number of seconds between {min} and {max}.");
    }
}
