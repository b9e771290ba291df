namespace ServerlessMyKey.Core.Security;

/// <summary>
/// Signatures of inbound webhooks already taken, kept while they could still be accepted (the
/// 5-minute tolerance), so that a captured request sent again is refused.
/// </summary>
public interface IWebhookReplayGuard
{
    /// <summary>Records <paramref name="signatureId"/> until <paramref name="keepUntil"/>, insert-if-absent; <c>false</c> when it was recorded before.</summary>
    Task<bool> TryRecordAsync(string signatureId, DateTimeOffset keepUntil, CancellationToken cancellationToken = default);

    /// <summary>Deletes at most <paramref name="maxRows"/> records kept until before <paramref name="now"/> (the clean-up timer).</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, int maxRows, CancellationToken cancellationToken = default);
}
