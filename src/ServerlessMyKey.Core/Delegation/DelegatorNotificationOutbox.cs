using Microsoft.Extensions.Logging;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// Acceptances whose delegator notification may not be scheduled yet. A row is written <b>before</b> the
/// status change to <c>active</c> and removed only <b>after</b> the notification orchestration is
/// scheduled, so an accepted delegation always has one or the other.
/// </summary>
public interface IDelegatorNotificationOutbox
{
    /// <summary>Records (or re-records) that an acceptance of <paramref name="delegationId"/> is about to commit.</summary>
    Task AddAsync(string delegationId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Removes the row; no error when it is already gone.</summary>
    Task RemoveAsync(string delegationId, CancellationToken cancellationToken = default);

    /// <summary>Every delegation id recorded before <paramref name="before"/> (all pages: rows kept for pending delegations must not hide the others).</summary>
    Task<IReadOnlyList<string>> DueAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>Starts <see cref="DelegatorNotificationOrchestrator"/> for a delegation unless its instance exists (one instance id per delegation).</summary>
public interface IDelegatorNotificationScheduler
{
    Task ScheduleIfMissingAsync(string delegationId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Makes sure no acceptance goes unannounced. The acceptance route schedules the notification right
/// after the status change; if it fails in between (crash, Durable storage error), the outbox row
/// written before the change remains, and <see cref="SweepAsync"/> (a timer) schedules it. Scheduling is
/// idempotent (deterministic instance id), so the route, a retried acceptance and the sweep together
/// start exactly one notification. Off when <c>Delegation:DelegatorWebhook:Url</c> is not set.
/// </summary>
public sealed class DelegatorNotifications(
    IDelegationStore store,
    IDelegatorNotificationOutbox outbox,
    DelegationOptions options,
    TimeProvider time,
    ILogger<DelegatorNotifications> logger)
{
    /// <summary>Rows younger than this belong to acceptances that may still be in flight; the sweep leaves them to their request.</summary>
    public static readonly TimeSpan SweepDelay = TimeSpan.FromMinutes(1);

    /// <summary>How long after its validity end a still-pending delegation's row is kept (an acceptance checked just before the end may commit just after).</summary>
    public static readonly TimeSpan PendingGrace = TimeSpan.FromHours(1);

    private bool Enabled => options.DelegatorWebhook is not null;

    /// <summary>Before the status change: the outbox row that survives a failure after it.</summary>
    public Task ExpectAsync(string delegationId, CancellationToken cancellationToken = default) =>
        Enabled ? outbox.AddAsync(delegationId, time.GetUtcNow(), cancellationToken) : Task.CompletedTask;

    /// <summary>After the status change (and on a repeated acceptance): schedule, then clear the row.</summary>
    public async Task EnsureScheduledAsync(IDelegatorNotificationScheduler scheduler, string delegationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        if (!Enabled)
        {
            return;
        }

        await scheduler.ScheduleIfMissingAsync(delegationId, cancellationToken);
        await outbox.RemoveAsync(delegationId, cancellationToken);
    }

    /// <summary>
    /// Schedules what a failed request left behind: for each row older than <see cref="SweepDelay"/>, an
    /// accepted delegation is scheduled and its row removed; a pending one keeps its row (its acceptance
    /// may still commit) until <see cref="PendingGrace"/> after its validity end; any other is removed.
    /// Returns how many were scheduled.
    /// </summary>
    public async Task<int> SweepAsync(IDelegatorNotificationScheduler scheduler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        if (!Enabled)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var scheduled = 0;
        foreach (var delegationId in await outbox.DueAsync(now - SweepDelay, cancellationToken))
        {
            var record = await store.FindAsync(delegationId, cancellationToken);
            if (record is { DelegateCertificate: not null })
            {
                await scheduler.ScheduleIfMissingAsync(delegationId, cancellationToken);
                scheduled++;
                logger.LogWarning("Delegator notification of delegation {DelegationId} scheduled by the sweep (its acceptance request did not)", delegationId);
            }
            else if (record is { Status: DelegationStatus.Pending } && now < record.ValidTo + PendingGrace)
            {
                continue;
            }

            await outbox.RemoveAsync(delegationId, cancellationToken);
        }

        return scheduled;
    }
}
