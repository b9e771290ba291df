namespace ServerlessMyKey.Core.Oidc;

/// <summary>
/// An authorization request waiting for the holder's login: what the client asked for (checked at the
/// authorization endpoint), the login challenge the card signs, and whether the login happened.
/// </summary>
public sealed record AuthorizationRequest(
    string RequestId,
    string ClientId,
    string RedirectUri,
    IReadOnlyList<string> Scopes,
    string? State,
    string? Nonce,
    string CodeChallenge,
    string ChallengeId,
    byte[] Challenge,
    DateTimeOffset ExpiresAt);

/// <summary>
/// An issued authorization code, stored under the SHA-256 of the code (the code itself is not kept).
/// <see cref="Claims"/> is the envelope-encrypted 基本4情報 when <c>jpki_basic4</c> was granted.
/// </summary>
public sealed record AuthorizationCode(
    string CodeHash,
    string ClientId,
    string RedirectUri,
    string CodeChallenge,
    string? Nonce,
    IReadOnlyList<string> Scopes,
    string Subject,
    DateTimeOffset AuthTime,
    string? Claims,
    DateTimeOffset ExpiresAt);

/// <summary>What the token endpoint granted: the access token's <c>jti</c>, its client, subject, scopes and released claims.</summary>
public sealed record OidcGrant(
    string GrantId,
    string ClientId,
    string Subject,
    IReadOnlyList<string> Scopes,
    string? Claims,
    DateTimeOffset ExpiresAt);

public enum CodeRedemptionOutcome
{
    Redeemed,
    NotFound,
    Expired,
    AlreadyRedeemed,
}

/// <summary>The result of a redemption; <see cref="PreviousGrantId"/> names what the first redemption issued.</summary>
public sealed record CodeRedemption(CodeRedemptionOutcome Outcome, AuthorizationCode? Code = null, string? PreviousGrantId = null);

/// <summary>Where the provider's short-lived state lives (Table Storage in Azure and the DevHost).</summary>
public interface IOidcStore
{
    /// <summary>Inserts a new request; never overwrites.</summary>
    Task CreateRequestAsync(AuthorizationRequest request, CancellationToken cancellationToken = default);

    /// <summary>The request, or <c>null</c> when unknown; <c>Completed</c> says whether its login already happened.</summary>
    Task<(AuthorizationRequest Request, bool Completed)?> FindRequestAsync(string requestId, CancellationToken cancellationToken = default);

    /// <summary>Marks the request completed with a conditional write; exactly one concurrent caller gets <c>true</c>.</summary>
    Task<bool> CompleteRequestAsync(string requestId, CancellationToken cancellationToken = default);

    /// <summary>Inserts a new code; never overwrites.</summary>
    Task CreateCodeAsync(AuthorizationCode code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the code redeemed by <paramref name="grantId"/> with an ETag-conditional update:
    /// exactly one concurrent redemption wins; later ones learn the winner's grant id.
    /// </summary>
    Task<CodeRedemption> RedeemCodeAsync(string codeHash, string grantId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Inserts the grant; <c>false</c> when it was revoked first (a replay got there before it).</summary>
    Task<bool> TryCreateGrantAsync(OidcGrant grant, CancellationToken cancellationToken = default);

    /// <summary>The live grant, or <c>null</c> when unknown or revoked.</summary>
    Task<OidcGrant?> FindGrantAsync(string grantId, CancellationToken cancellationToken = default);

    /// <summary>Revokes the grant (a tombstone, so that a grant written later cannot come back).</summary>
    Task RevokeGrantAsync(string grantId, DateTimeOffset keepUntil, CancellationToken cancellationToken = default);

    /// <summary>Records a client assertion's <c>jti</c> (insert-only); <c>false</c> when it was seen before.</summary>
    Task<bool> TryRecordAssertionAsync(string clientId, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Deletes rows that expired before <paramref name="expiredBefore"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken = default);
}
