using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace ServerlessMyKey.Core.Oidc;

/// <summary>
/// The token endpoint (RFC 6749 §4.1.3, OpenID Connect Core §3.1.3): the client authenticates,
/// the code is spent by an ETag-conditional update (one redemption wins), then it must belong to
/// that client, name the same redirect URI and match the PKCE verifier. A code presented again
/// revokes the access token its first redemption issued (RFC 6749 §4.1.2).
/// </summary>
public sealed class TokenEndpoint(
    OidcOptions options,
    IOidcStore store,
    ClientAuthentication clients,
    OidcTokens tokens,
    TimeProvider timeProvider,
    ILogger<TokenEndpoint> logger)
{
    public async Task<TokenResponse> ExchangeAsync(string? authorizationHeader, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        var client = await clients.AuthenticateAsync(authorizationHeader, form, cancellationToken);
        if (form.GetValueOrDefault("grant_type") != "authorization_code")
        {
            throw new OAuthException(OAuthErrors.UnsupportedGrantType, "Only grant_type=authorization_code is supported.");
        }

        if (form.GetValueOrDefault("code") is not { Length: > 0 and <= 128 } code || form.GetValueOrDefault("redirect_uri") is not { } redirectUri
            || form.GetValueOrDefault("code_verifier") is not { } verifier)
        {
            throw OAuthException.InvalidRequest("code, redirect_uri and code_verifier are required.");
        }

        var now = timeProvider.GetUtcNow();
        var grantId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var redemption = await store.RedeemCodeAsync(OidcLogin.CodeHash(code), grantId, now, cancellationToken);
        switch (redemption.Outcome)
        {
            case CodeRedemptionOutcome.AlreadyRedeemed:
                if (redemption.PreviousGrantId is { } previous)
                {
                    await store.RevokeGrantAsync(previous, now + options.TokenLifetime, cancellationToken);
                }

                logger.LogWarning("Authorization code presented again by client {ClientId}; grant {GrantId} revoked", client.ClientId, redemption.PreviousGrantId);
                throw OAuthException.InvalidGrant("The code was already used; tokens issued with it are revoked.");
            case CodeRedemptionOutcome.Expired:
                throw OAuthException.InvalidGrant("The code has expired.");
            case CodeRedemptionOutcome.NotFound:
                throw OAuthException.InvalidGrant("The code is not valid.");
        }

        // RFC 6749 §4.1.3 and RFC 7636 §4.6, checked after the code is spent so that no guess gets a second try.
        var issued = redemption.Code!;
        if (issued.ClientId != client.ClientId)
        {
            throw OAuthException.InvalidGrant("The code was issued to another client.");
        }

        if (!string.Equals(issued.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            throw OAuthException.InvalidGrant("redirect_uri differs from the authorization request's.");
        }

        if (!Pkce.Matches(verifier, issued.CodeChallenge))
        {
            throw OAuthException.InvalidGrant("code_verifier does not match the code_challenge (S256).");
        }

        var expiresAt = now + options.TokenLifetime;
        var grant = new OidcGrant(grantId, client.ClientId, issued.Subject, issued.Scopes, issued.Claims, expiresAt);
        if (!await store.TryCreateGrantAsync(grant, cancellationToken))
        {
            throw OAuthException.InvalidGrant("The code was already used; tokens issued with it are revoked.");
        }

        logger.LogInformation("Code redeemed by client {ClientId} as grant {GrantId}", client.ClientId, grantId);
        return new TokenResponse(
            await tokens.IssueAccessTokenAsync(grant, cancellationToken),
            "Bearer",
            (int)options.TokenLifetime.TotalSeconds,
            await tokens.IssueIdTokenAsync(issued, expiresAt, cancellationToken),
            string.Join(' ', issued.Scopes));
    }
}

/// <summary>RFC 6749 §5.1 and OpenID Connect Core §3.1.3.3 (snake_case on the wire).</summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string IdToken, string Scope);
