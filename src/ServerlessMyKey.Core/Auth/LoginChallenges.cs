using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Auth;

/// <summary>
/// Single-use login challenges: 32 random bytes the card signs. Created insert-only, consumed once
/// by a conditional write in the store, so two submissions of one signed challenge give one session.
/// </summary>
public sealed partial class LoginChallenges(IChallengeStore store, AuthOptions options, TimeProvider timeProvider, ILogger<LoginChallenges> logger)
{
    /// <summary>A new challenge for <paramref name="use"/>; <paramref name="audience"/> (a login's client, whose token it binds) only with <see cref="ChallengeUse.Login"/>.</summary>
    public async Task<LoginChallenge> CreateAsync(ChallengeUse use, string? audience = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(use);
        if (audience is not null && use.Purpose != ChallengeUse.LoginPurpose)
        {
            throw new ArgumentException("Only a login challenge names an audience.", nameof(audience));
        }

        var challenge = new LoginChallenge(
            "ch_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            RandomNumberGenerator.GetBytes(32),
            audience,
            timeProvider.GetUtcNow() + options.ChallengeLifetime,
            use.Purpose,
            use.ClientId);
        await store.CreateAsync(challenge, cancellationToken);
        return challenge;
    }

    /// <summary>
    /// Uses the challenge up, or throws <c>challenge_not_found</c>, <c>challenge_expired</c> or <c>challenge_already_used</c>;
    /// <c>challenge_purpose_mismatch</c> when it was made for another purpose or another client than <paramref name="use"/>.
    /// A mismatched challenge is spent too: the proof was shown to the wrong consumer, so it is treated as exposed, and the
    /// refusal comes before any certificate check, so the wrong consumer learns nothing about the holder.
    /// </summary>
    public async Task<LoginChallenge> ConsumeAsync(string? challengeId, ChallengeUse use, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(use);
        if (challengeId is null || !ChallengeIdFormat().IsMatch(challengeId))
        {
            throw new ServiceException(ErrorCodes.ChallengeNotFound);
        }

        var result = await store.ConsumeAsync(challengeId, timeProvider.GetUtcNow(), cancellationToken);
        return result.Outcome switch
        {
            ChallengeOutcome.Consumed when use.Admits(result.Challenge!) => result.Challenge!,
            ChallengeOutcome.Consumed => throw Mismatch(result.Challenge!, use),
            ChallengeOutcome.Expired => throw new ServiceException(ErrorCodes.ChallengeExpired),
            ChallengeOutcome.AlreadyUsed => throw new ServiceException(ErrorCodes.ChallengeAlreadyUsed),
            _ => throw new ServiceException(ErrorCodes.ChallengeNotFound),
        };
    }

    /// <summary>
    /// Deletes challenges, spent or not, that expired more than a lifetime ago, at most
    /// <paramref name="maxRows"/> (the clean-up timer). A challenge is refused once expired, so a replay
    /// inside its lifetime still meets its row (<c>challenge_already_used</c>); one that reaches a deleted
    /// row is <c>challenge_not_found</c>, refused as well.
    /// </summary>
    public Task<int> DeleteExpiredAsync(int maxRows = 5000, CancellationToken cancellationToken = default) =>
        store.DeleteExpiredAsync(timeProvider.GetUtcNow() - options.ChallengeLifetime, maxRows, cancellationToken);

    private ServiceException Mismatch(LoginChallenge challenge, ChallengeUse use)
    {
        logger.LogWarning(
            "Challenge {ChallengeId} of purpose {Purpose} (client {ClientId}) refused and spent at a consumer of purpose {ExpectedPurpose} (client {ExpectedClientId})",
            challenge.Id, challenge.Purpose, challenge.ClientId ?? "none", use.Purpose, use.ClientId ?? "none");
        return new ServiceException(ErrorCodes.ChallengePurposeMismatch);
    }

    [GeneratedRegex("^ch_[A-Za-z0-9_-]{22}\\z")]
    private static partial Regex ChallengeIdFormat();
}

/// <summary>
/// A login challenge: its id, the 32 bytes to sign, the client a login's token is for (<paramref name="Audience"/>), its expiry,
/// its purpose (<see cref="ChallengeUse"/>) and the service client that asked for it (readers only).
/// </summary>
public sealed record LoginChallenge(string Id, byte[] Value, string? Audience, DateTimeOffset ExpiresAt, string Purpose = ChallengeUse.LoginPurpose, string? ClientId = null);

public enum ChallengeOutcome
{
    Consumed,
    NotFound,
    Expired,
    AlreadyUsed,
}

public sealed record ChallengeConsumption(ChallengeOutcome Outcome, LoginChallenge? Challenge = null);

/// <summary>Where challenges live (Table Storage in Azure and the DevHost).</summary>
public interface IChallengeStore
{
    /// <summary>Inserts a new challenge; never overwrites.</summary>
    Task CreateAsync(LoginChallenge challenge, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the challenge used with a conditional write and returns it; exactly one concurrent
    /// caller gets <see cref="ChallengeOutcome.Consumed"/>.
    /// </summary>
    Task<ChallengeConsumption> ConsumeAsync(string challengeId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes at most <paramref name="maxRows"/> challenges that expired before <paramref name="expiredBefore"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxRows, CancellationToken cancellationToken = default);
}
