using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Core.Oidc;

/// <summary>
/// The provider's tokens, compact JWS signed ES256 by the token-signing key of the key service
/// (Key Vault in Azure, so the private key never leaves it): ID tokens (<c>typ: JWT</c>) and userinfo
/// access tokens (RFC 9068 <c>typ: at+jwt</c>). Both name their client as the only audience, carry
/// no API audience and no certificate claims, so the citizen API routes refuse them.
/// </summary>
public sealed class OidcTokens(IKeyService keys, OidcOptions options, TimeProvider timeProvider)
{
    public const string AccessTokenType = "at+jwt";
    private const int MaxTokenLength = 4096;

    public Task<string> IssueIdTokenAsync(AuthorizationCode code, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        var now = timeProvider.GetUtcNow();
        var claims = new JsonObject
        {
            ["iss"] = options.Issuer,
            ["sub"] = code.Subject,
            ["aud"] = code.ClientId,
            ["azp"] = code.ClientId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = expiresAt.ToUnixTimeSeconds(),
            ["auth_time"] = code.AuthTime.ToUnixTimeSeconds(),
            ["amr"] = new JsonArray("hwk", "pin"),
        };
        if (code.Nonce is not null)
        {
            claims["nonce"] = code.Nonce;
        }

        return SignAsync("JWT", claims, cancellationToken);
    }

    public Task<string> IssueAccessTokenAsync(OidcGrant grant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var now = timeProvider.GetUtcNow();
        return SignAsync(AccessTokenType, new JsonObject
        {
            ["iss"] = options.Issuer,
            ["sub"] = grant.Subject,
            ["aud"] = grant.ClientId,
            ["client_id"] = grant.ClientId,
            ["scope"] = string.Join(' ', grant.Scopes),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = grant.ExpiresAt.ToUnixTimeSeconds(),
            ["jti"] = grant.GrantId,
        }, cancellationToken);
    }

    /// <summary>The grant id (<c>jti</c>) of a valid access token of this provider, or <c>null</c>.</summary>
    public async Task<(string GrantId, string ClientId, string Subject)?> ValidateAccessTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        // RFC 7515 §5.2 and RFC 9068 §4: three parts, typ at+jwt, ES256 with a key of ours.
        var parts = token.Length <= MaxTokenLength ? token.Split('.') : [];
        if (parts.Length != 3 || Decode(parts[0]) is not JsonObject header || Decode(parts[1]) is not JsonObject claims || !TryBytes(parts[2], out var signature))
        {
            return null;
        }

        if (Text(header, "alg") != "ES256" || Text(header, "typ") != AccessTokenType || Text(header, "kid") is not { Length: > 0 } kid || signature.Length != 64
            || !await keys.VerifyAsync(ServiceKeyNames.TokenSigning, kid, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, cancellationToken))
        {
            return null;
        }

        var exp = claims["exp"] is JsonValue e && e.TryGetValue<long>(out var seconds) ? seconds : 0;
        if (Text(claims, "iss") != options.Issuer || exp <= timeProvider.GetUtcNow().ToUnixTimeSeconds()
            || Text(claims, "jti") is not { } jti || Text(claims, "client_id") is not { } clientId || Text(claims, "sub") is not { } sub
            || Text(claims, "aud") != clientId)
        {
            return null;
        }

        return (jti, clientId, sub);
    }

    private async Task<string> SignAsync(string type, JsonObject claims, CancellationToken cancellationToken)
    {
        var key = await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning, cancellationToken);
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = type, ["kid"] = key.Kid };
        var signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, Encoding.ASCII.GetBytes(signingInput), cancellationToken);
        return signingInput + "." + Base64Url.EncodeToString(signature.Signature);
    }

    private static readonly JsonDocumentOptions UniqueMembers = new() { AllowDuplicateProperties = false };

    private static JsonNode? Decode(string part)
    {
        if (!TryBytes(part, out var bytes))
        {
            return null;
        }

        try
        {
            // RFC 7515 §5.2: a member named twice is refused (a JsonObject would throw on first access otherwise).
            return JsonNode.Parse(bytes, documentOptions: UniqueMembers);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryBytes(string part, out byte[] bytes)
    {
        bytes = [];
        if (part.Length == 0 || part.Contains('=', StringComparison.Ordinal) || !Base64Url.IsValid(part))
        {
            return false;
        }

        bytes = Base64Url.DecodeFromChars(part);
        return true;
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
