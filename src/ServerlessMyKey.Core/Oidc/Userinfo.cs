using System.Security.Cryptography;
using System.Text.Json;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Oidc;

/// <summary>
/// The userinfo endpoint (OpenID Connect Core §5.3): an access token of this provider whose grant
/// is live (not revoked by a code replay) gives <c>sub</c> and, with <c>jpki_basic4</c>, the
/// 基本4情報 released at login (decrypted here, never stored in clear).
/// </summary>
public sealed class Userinfo(IOidcStore store, OidcTokens tokens, EnvelopeEncryption envelopes)
{
    public async Task<IReadOnlyDictionary<string, object>> GetAsync(string? authorizationHeader, CancellationToken cancellationToken = default)
    {
        const string scheme = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            || await tokens.ValidateAccessTokenAsync(authorizationHeader[scheme.Length..].Trim(), cancellationToken) is not { } token
            || await store.FindGrantAsync(token.GrantId, cancellationToken) is not { } grant
            || grant.ClientId != token.ClientId || grant.Subject != token.Subject)
        {
            throw new OAuthException(OAuthErrors.InvalidToken, "The access token is missing, expired, revoked or not of this provider.", 401);
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["sub"] = grant.Subject };
        if (grant.Scopes.Contains(AuthorizationRequests.Basic4Scope) && grant.Claims is { } sealedClaims)
        {
            var envelope = JsonSerializer.Deserialize(sealedClaims, OidcJson.Default.EncryptedEnvelope)
                ?? throw new CryptographicException("Empty claims envelope.");
            var holder = JsonSerializer.Deserialize(
                await envelopes.DecryptAsync(envelope, OidcLogin.ClaimsAssociatedData(grant.ClientId, grant.Subject), cancellationToken),
                OidcJson.Default.HolderClaims)!;
            claims["name"] = holder.Name;
            claims["address"] = new Dictionary<string, string> { ["formatted"] = holder.Address };
            if (holder.Birthdate is not null)
            {
                claims["birthdate"] = holder.Birthdate;
            }

            claims["gender"] = holder.Gender;
        }

        return claims;
    }
}
