using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;
using ServerlessMyKey.Azure.Oidc;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Oidc;
using ServerlessMyKey.Core.Validation;

namespace ServerlessMyKey.Azure;

public static class OidcServiceCollectionExtensions
{
    /// <summary>The minimum length of a client secret and of <c>Oidc:SubjectSecret</c>.</summary>
    public const int MinimumSecretLength = 32;

    /// <summary>
    /// The OpenID Connect provider: <c>Oidc:*</c> (validated here, so a bad client registration stops
    /// the app naming the key), its services and the Table Storage adapter. Needs JPKI login
    /// (<see cref="AuthOptions"/>, <see cref="JpkiLogin"/>), the key service and a <see cref="TableServiceClient"/>.
    /// </summary>
    public static IServiceCollection AddOidc(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var clients = ReadClients(configuration);
        var subjectKey = ReadSubjectKey(configuration, clients.Count > 0);
        var loginPage = configuration["Oidc:LoginPageUrl"] is { Length: > 0 } page ? RequireAbsolute(page, "Oidc:LoginPageUrl") : null;
        var codeLifetime = Seconds(configuration, "CodeLifetimeSeconds", 60, 10, 600);
        var tokenLifetime = Seconds(configuration, "TokenLifetimeSeconds", 600, 60, 3600);
        services.AddSingleton(sp =>
        {
            var auth = sp.GetRequiredService<AuthOptions>();
            return new OidcOptions
            {
                Issuer = auth.Issuer,
                LoginPageUrl = loginPage ?? auth.Issuer + "/oidc/login",
                SubjectKey = subjectKey,
                CodeLifetime = TimeSpan.FromSeconds(codeLifetime),
                TokenLifetime = TimeSpan.FromSeconds(tokenLifetime),
                ClockSkew = auth.ClockSkew,
                Clients = clients,
            };
        });
        services.AddSingleton<IOidcStore>(sp => new TableOidcStore(new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "OidcState")));
        services.TryAddSingleton<EnvelopeEncryption>();
        services.AddSingleton<PairwiseSubjects>();
        services.AddSingleton<AuthorizationRequests>();
        services.AddSingleton<OidcLogin>();
        services.AddSingleton<ClientAuthentication>();
        services.AddSingleton<OidcTokens>();
        services.AddSingleton<TokenEndpoint>();
        services.AddSingleton<Userinfo>();
        return services;
    }

    /// <summary>Reads <c>Oidc:Clients:&lt;id&gt;:Name</c>, <c>:RedirectUris</c>, <c>:Secret</c> or <c>:Jwks</c>, <c>:SectorIdentifier</c>.</summary>
    public static IReadOnlyDictionary<string, OidcClient> ReadClients(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var apiAudience = configuration["Auth:Audience"] is { Length: > 0 } audience ? audience : new AuthOptions().Audience;
        var clients = new Dictionary<string, OidcClient>(StringComparer.Ordinal);
        foreach (var section in configuration.GetSection("Oidc:Clients").GetChildren())
        {
            var key = $"Oidc:Clients:{section.Key}";
            if (!RequestFields.IsId(section.Key) || section.Key == apiAudience)
            {
                throw new InvalidOperationException($"Configuration key '{key}': a client id is 1–64 letters, digits, '.', '_' or '-', and not the API audience '{apiAudience}'.");
            }

            var redirectUris = List(section.GetSection("RedirectUris")).Select(u => RequireRedirectUri(u, key + ":RedirectUris")).ToList();
            if (redirectUris.Count is 0 or > 20)
            {
                throw new InvalidOperationException($"Configuration key '{key}:RedirectUris' must list 1–20 redirect URIs.");
            }

            var secret = section["Secret"];
            var jwks = section["Jwks"];
            if (string.IsNullOrEmpty(secret) == string.IsNullOrEmpty(jwks))
            {
                throw new InvalidOperationException($"Configuration key '{key}': set exactly one of ':Secret' (client_secret_basic) and ':Jwks' (private_key_jwt).");
            }

            if (secret is { Length: > 0 and < MinimumSecretLength })
            {
                throw new InvalidOperationException($"Configuration key '{key}:Secret' must be at least {MinimumSecretLength} characters.");
            }

            if (!string.IsNullOrEmpty(jwks) && !IsJwks(jwks))
            {
                throw new InvalidOperationException($"Configuration key '{key}:Jwks' must be a JSON Web Key Set with at least one public signing key.");
            }

            var sector = section["SectorIdentifier"] is { Length: > 0 } configured ? configured : section.Key;
            clients[section.Key] = new OidcClient(
                section.Key,
                section["Name"] is { Length: > 0 and <= 100 } name ? name : section.Key,
                redirectUris,
                sector,
                string.IsNullOrEmpty(secret) ? ClientAuthenticationMethod.PrivateKeyJwt : ClientAuthenticationMethod.ClientSecretBasic,
                string.IsNullOrEmpty(secret) ? null : OidcClient.HashSecret(secret),
                string.IsNullOrEmpty(jwks) ? null : jwks);
        }

        return clients;
    }

    private static byte[] ReadSubjectKey(IConfiguration configuration, bool required)
    {
        var secret = configuration["Oidc:SubjectSecret"];
        if (string.IsNullOrEmpty(secret))
        {
            // With no clients no subject is ever computed; a random key keeps the service a valid one.
            return required
                ? throw new InvalidOperationException($"Configuration key 'Oidc:SubjectSecret' is required when OpenID Connect clients are registered (at least {MinimumSecretLength} characters).")
                : RandomNumberGenerator.GetBytes(32);
        }

        return secret.Length >= MinimumSecretLength && !secret.StartsWith("@Microsoft.KeyVault(", StringComparison.Ordinal)
            ? Encoding.UTF8.GetBytes(secret)
            : throw new InvalidOperationException($"Configuration key 'Oidc:SubjectSecret' must be at least {MinimumSecretLength} characters (an unresolved Key Vault reference is refused).");
    }

    private static IEnumerable<string> List(IConfigurationSection section) =>
        section.Value is { Length: > 0 } joined
            ? joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetChildren().Select(c => c.Value ?? string.Empty);

    /// <summary>OAuth 2.0 Security BCP: absolute, no fragment, https (http only on a loopback host).</summary>
    private static string RequireRedirectUri(string value, string key)
    {
        var ok = Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Fragment.Length == 0 && string.IsNullOrEmpty(uri.UserInfo)
            && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
        return ok ? value : throw new InvalidOperationException($"Configuration key '{key}': '{value}' must be an absolute https URI without a fragment (http only for a loopback host).");
    }

    private static string RequireAbsolute(string value, string key) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? value
            : throw new InvalidOperationException($"Configuration key '{key}' must be an absolute http(s) URL.");

    private static bool IsJwks(string json)
    {
        try
        {
            return new JsonWebKeySet(json).GetSigningKeys().Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int Seconds(IConfiguration configuration, string name, int defaultValue, int min, int max)
    {
        var raw = configuration["Oidc:" + name];
        if (string.IsNullOrEmpty(raw))
        {
            return defaultValue;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException($"Configuration key 'Oidc:{name}' must be a whole number of seconds between {min} and {max}.");
    }
}
