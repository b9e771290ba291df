using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ServerlessMyKey.Core.Oidc;

/// <summary>
/// Client authentication at the token endpoint (OpenID Connect Core §9): <c>client_secret_basic</c>
/// (RFC 6749 §2.3.1, compared in constant time) or <c>private_key_jwt</c> (RFC 7523 §3: iss = sub =
/// client id, aud = the token endpoint, short-lived, each <c>jti</c> once), by the one method the
/// client is registered with. Assertion signatures are checked with Microsoft.IdentityModel.
/// </summary>
public sealed class ClientAuthentication(OidcOptions options, IOidcStore store, TimeProvider timeProvider)
{
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>The longest an assertion may live, bounding the <c>jti</c> replay cache.</summary>
    private static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(10);

    private static readonly string[] AssertionAlgorithms = ["RS256", "PS256", "ES256"];

    private readonly JsonWebTokenHandler _handler = new();

    public async Task<OidcClient> AuthenticateAsync(string? authorizationHeader, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (form.ContainsKey("client_secret"))
        {
            throw OAuthException.InvalidClient("client_secret in the body (client_secret_post) is not accepted; use client_secret_basic or private_key_jwt.");
        }

        var hasAssertion = form.ContainsKey("client_assertion") || form.ContainsKey("client_assertion_type");
        if (authorizationHeader is { Length: > 0 })
        {
            return hasAssertion
                ? throw OAuthException.InvalidRequest("Use one client authentication method per request.")
                : Basic(authorizationHeader, form.GetValueOrDefault("client_id"));
        }

        return hasAssertion
            ? await AssertionAsync(form, cancellationToken)
            : throw OAuthException.InvalidClient("Client authentication is required (client_secret_basic or private_key_jwt).");
    }

    private OidcClient Basic(string header, string? formClientId)
    {
        // RFC 6749 §2.3.1: Basic base64(urlencode(client_id) ":" urlencode(client_secret)).
        const string scheme = "Basic ";
        string? clientId = null, secret = null;
        if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length < 2048)
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[scheme.Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
                    secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
                }
            }
            catch (FormatException)
            {
                // Falls through to invalid_client below.
            }
        }

        var client = options.FindClient(clientId);
        if (client is null || secret is null || client.AuthenticationMethod != ClientAuthenticationMethod.ClientSecretBasic
            || !CryptographicOperations.FixedTimeEquals(OidcClient.HashSecret(secret), client.SecretHash))
        {
            throw OAuthException.InvalidClient("Client authentication failed.");
        }

        return formClientId is null || formClientId == client.ClientId
            ? client
            : throw OAuthException.InvalidClient("client_id does not match the authenticated client.");
    }

    /// <summary>The <c>iss</c> of a JWT not yet verified, or <c>null</c> when its header or payload is not JSON (CanReadToken checks only the shape).</summary>
    private string? UnverifiedIssuer(string assertion)
    {
        try
        {
            return _handler.ReadJsonWebToken(assertion).Issuer;
        }
        catch (ArgumentException)
        {
            // SecurityTokenMalformedException is an ArgumentException: falls through to invalid_client.
            return null;
        }
    }

    private async Task<OidcClient> AssertionAsync(IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken)
    {
        if (form.GetValueOrDefault("client_assertion_type") != JwtBearerAssertionType || form.GetValueOrDefault("client_assertion") is not { Length: > 0 and <= 8192 } assertion
            || !_handler.CanReadToken(assertion))
        {
            throw OAuthException.InvalidClient("client_assertion must be a JWT with client_assertion_type " + JwtBearerAssertionType + ".");
        }

        // RFC 7523 §3: the issuer names the client; its registered keys must have signed the assertion.
        var client = options.FindClient(UnverifiedIssuer(assertion));
        if (client is not { AuthenticationMethod: ClientAuthenticationMethod.PrivateKeyJwt, Jwks: { } jwks }
            || (form.GetValueOrDefault("client_id") is { } formClientId && formClientId != client.ClientId))
        {
            throw OAuthException.InvalidClient("Client authentication failed.");
        }

        var now = timeProvider.GetUtcNow();
        var result = await _handler.ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = client.ClientId,
            ValidAudience = options.TokenEndpoint,
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            ValidAlgorithms = AssertionAlgorithms,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = options.ClockSkew,
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } exp && exp > now.UtcDateTime - options.ClockSkew && exp <= now.UtcDateTime + MaxAssertionLifetime
                && (notBefore is null || notBefore <= now.UtcDateTime + options.ClockSkew),
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token || token.Subject != client.ClientId || string.IsNullOrEmpty(token.Id) || token.Id.Length > 256)
        {
            throw OAuthException.InvalidClient("The client assertion is not valid (signature, iss = sub = client_id, aud = the token endpoint, exp within 10 minutes, jti).");
        }

        // RFC 7523 §3 item 7: each jti once while the assertion lives.
        return await store.TryRecordAssertionAsync(client.ClientId, token.Id, new DateTimeOffset(token.ValidTo, TimeSpan.Zero) + options.ClockSkew, cancellationToken)
            ? client
            : throw OAuthException.InvalidClient("The client assertion was used before (jti).");
    }
}
