using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Operations;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Functions.Operations;

/// <summary>
/// Every 15 minutes: login challenges (spent or not) expired for more than a lifetime, and idempotency
/// responses older than <c>Cleanup:IdempotencyWindowHours</c> (claims are kept), at most
/// <c>Cleanup:BatchSize</c> rows per table a run (what is left goes in the next run), and seen
/// webhook signatures past their window; and, until none is left, moves idempotency claims of the first
/// table layout to the current one (<c>Cleanup:BatchSize</c> a run).
/// </summary>
public sealed class CleanupFunction(
    LoginChallenges challenges,
    IIdempotencyCleanup idempotency,
    IIdempotencyClaimsMigration claimsMigration,
    IWebhookReplayGuard webhookReplays,
    CleanupOptions options,
    TimeProvider time,
    ILogger<CleanupFunction> logger)
{
    [Function("CleanUpExpiredRows")]
    public async Task Run([TimerTrigger("0 */15 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var challengesDeleted = await challenges.DeleteExpiredAsync(options.BatchSize, cancellationToken);
        var idempotencyDeleted = await idempotency.DeleteOlderThanAsync(time.GetUtcNow() - options.IdempotencyWindow, options.BatchSize, cancellationToken);
        var webhooksDeleted = await webhookReplays.DeleteExpiredAsync(time.GetUtcNow(), options.BatchSize, cancellationToken);
        var claims = await claimsMigration.MigrateAsync(options.BatchSize, cancellationToken);
        if (claims.Migrated > 0 || !claims.Complete)
        {
            logger.LogInformation("Clean-up moved {ClaimCount} idempotency claims to the current layout; complete: {Complete}", claims.Migrated, claims.Complete);
        }

        logger.LogInformation("Clean-up deleted {ChallengeCount} expired login challenges, {IdempotencyCount} idempotency rows and {WebhookCount} seen webhook signatures",
            challengesDeleted, idempotencyDeleted, webhooksDeleted);
    }
}
