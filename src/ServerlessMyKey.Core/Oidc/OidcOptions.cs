using System.Security.Cryptography;
using System.Text;

namespace ServerlessMyKey.Core.Oidc;

/// <summary>Settings of the OpenID Connect provider (<c>Oidc:*</c>; the issuer is <c>Auth:Issuer</c>).</summary>
public sealed record OidcOptions
{
    /// <summary>The issuer (<c>iss</c>), the base of every endpoint URL: <c>Auth:Issuer</c>.</summary>
    public required string Issuer { get; init; }

    /// <summary>Where the authorization endpoint sends the browser (<c>Oidc:LoginPageUrl</c>); the minimal page of this API by default.</summary>
    public required string LoginPageUrl { get; init; }

    /// <summary>Key of the pairwise <c>sub</c> hash (<c>Oidc:SubjectSecret</c>, ≥32 characters; a Key Vault reference in Azure).</summary>
    public required byte[] SubjectKey { get; init; }

    /// <summary>How long an authorization request waits for the holder's login (<c>Oidc:RequestLifetimeSeconds</c>).</summary>
    public TimeSpan RequestLifetime { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>How long an authorization code may be redeemed (<c>Oidc:CodeLifetimeSeconds</c>).</summary>
    public TimeSpan CodeLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Lifetime of ID tokens and userinfo access tokens (<c>Oidc:TokenLifetimeSeconds</c>).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Clock skew allowed on client assertions (<c>Auth:ClockSkewSeconds</c>).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The registered relying parties by client id (<c>Oidc:Clients:&lt;id&gt;:*</c>).</summary>
    public IReadOnlyDictionary<string, OidcClient> Clients { get; init; } = new Dictionary<string, OidcClient>(StringComparer.Ordinal);

    public string AuthorizationEndpoint => Issuer + "/oidc/authorize";

    public string TokenEndpoint => Issuer + "/oidc/token";

    public string UserinfoEndpoint => Issuer + "/oidc/userinfo";

    public string JwksUri => Issuer + "/auth/jwks";

    public OidcClient? FindClient(string? clientId) =>
        clientId is not null && Clients.TryGetValue(clientId, out var client) ? client : null;
}

/// <summary>How a client authenticates at the token endpoint.</summary>
public enum ClientAuthenticationMethod
{
    ClientSecretBasic,
    PrivateKeyJwt,
}

/// <summary>
/// A registered relying party: its redirect URIs (matched exactly), its credential (a secret, kept
/// as a SHA-256 hash, or a public JWKS for <c>private_key_jwt</c>) and its sector, the scope of its
/// pairwise <c>sub</c> (its own client id unless clients of one operator share a sector).
/// </summary>
public sealed record OidcClient(
    string ClientId,
    string Name,
    IReadOnlyList<string> RedirectUris,
    string SectorIdentifier,
    ClientAuthenticationMethod AuthenticationMethod,
    byte[]? SecretHash,
    string? Jwks)
{
    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public bool HasRedirectUri(string? redirectUri) =>
        redirectUri is not null && RedirectUris.Contains(redirectUri, StringComparer.Ordinal);
}
