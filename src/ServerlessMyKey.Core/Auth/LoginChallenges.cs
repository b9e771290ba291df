using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Auth;

/// <summary>
/// Single-use login challenges: 32 random bytes the card signs. Created insert-only, consumed once
/// by a conditional write in the store, so two submissions of one signed challenge give one session.
/// </summary>
public sealed partial class LoginChallenges(IChallengeStore store, AuthOptions options, TimeProvider timeProvider)
{
    public async Task<LoginChallenge> CreateAsync(string? audience, CancellationToken cancellationToken = default)
    {
        var challenge = new LoginChallenge(
            "ch_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            RandomNumberGenerator.GetBytes(32),
            audience,
            timeProvider.GetUtcNow() + options.ChallengeLifetime);
        await store.CreateAsync(challenge, cancellationToken);
        return challenge;
    }

    /// <summary>Uses the challenge up, or throws <c>challenge_not_found</c>, <c>challenge_expired</c> or <c>challenge_already_used</c>.</summary>
    public async Task<LoginChallenge> ConsumeAsync(string? challengeId, CancellationToken cancellationToken = default)
    {
        if (challengeId is null || !ChallengeIdFormat().IsMatch(challengeId))
        {
            throw new ServiceException(ErrorCodes.ChallengeNotFound);
        }

        var result = await store.ConsumeAsync(challengeId, timeProvider.GetUtcNow(), cancellationToken);
        return result.Outcome switch
        {
            ChallengeOutcome.Consumed => result.Challenge!,
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

    [GeneratedRegex("^ch_[A-Za-z0-9_-]{22}\\z")]
    private static partial Regex ChallengeIdFormat();
}

/// <summary>A login challenge: its id, the 32 bytes to sign, the client it was for, its expiry.</summary>
public sealed record LoginChallenge(string Id, byte[] Value, string? Audience, DateTimeOffset ExpiresAt);

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
