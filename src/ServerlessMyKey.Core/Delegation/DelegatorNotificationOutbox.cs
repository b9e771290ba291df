using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// The delegator notification of each acceptance until it is delivered. A row is written <b>before</b> the
/// status change to <c>active</c> (<c>expected</c>), marked <c>scheduled</c> once its orchestration is
/// started, marked <c>deadLettered</c> when every attempt failed, and removed only when delivered (or
/// when the delegation was never accepted).
/// </summary>
public interface IDelegatorNotificationOutbox
{
    /// <summary>Records (or re-records) that an acceptance of <paramref name="delegationId"/> is about to commit.</summary>
    Task AddAsync(string delegationId, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<DelegatorNotificationRow?> FindAsync(string delegationId, CancellationToken cancellationToken = default);

    /// <summary><c>expected</c> → <c>scheduled</c>; nothing in any other state (a dead letter stays one).</summary>
    Task MarkScheduledAsync(string delegationId, CancellationToken cancellationToken = default);

    Task MarkDeadLetteredAsync(string delegationId, int attempts, string? code, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary><c>deadLettered</c> → <c>scheduled</c> with one more re-drive, under the row's ETag; false when it changed meanwhile.</summary>
    Task<bool> TryRedriveAsync(DelegatorNotificationRow row, CancellationToken cancellationToken = default);

    /// <summary>Removes the row; no error when it is already gone.</summary>
    Task RemoveAsync(string delegationId, CancellationToken cancellationToken = default);

    /// <summary>Every delegation id still <c>expected</c> since before <paramref name="before"/> (all pages).</summary>
    Task<IReadOnlyList<string>> DueAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>An outbox row: its state, how many re-drives, and for a dead letter the attempts and last code.</summary>
public sealed record DelegatorNotificationRow(string DelegationId, string State, int Redrives, int? Attempts, string? Code, DateTimeOffset? DeadLetteredAt, string ETag)
{
    public const string Expected = "expected";
    public const string Scheduled = "scheduled";
    public const string DeadLettered = "deadLettered";
}

/// <summary><c>notification</c> in <c>GET /api/delegations/{id}</c> while the delegator has not been told: <c>pending</c> or <c>deadLettered</c>.</summary>
public sealed record DelegatorNotificationView(string Event, string Status, int Redrives, int? Attempts = null, string? Code = null, DateTimeOffset? DeadLetteredAt = null);

/// <summary>Starts <see cref="DelegatorNotificationOrchestrator"/> for a delivery unless its instance exists (one instance id per delegation and re-drive).</summary>
public interface IDelegatorNotificationScheduler
{
    Task ScheduleIfMissingAsync(DelegatorNotificationInput input, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when the delivery's instance failed or was terminated without recording an outcome (or, for the
    /// first delivery, which is scheduled before its row is marked, no longer exists): its row stays
    /// <c>scheduled</c> and only a re-drive delivers it.
    /// </summary>
    Task<bool> HasFailedAsync(DelegatorNotificationInput input, CancellationToken cancellationToken = default);
}

/// <summary>
/// Makes sure no acceptance goes unannounced. The acceptance route schedules the notification right
/// after the status change; if it fails in between (crash, Durable storage error), the outbox row
/// written before the change remains <c>expected</c>, and <see cref="SweepAsync"/> (a timer) schedules it.
/// Scheduling is idempotent (deterministic instance id), so the route, a retried acceptance and the sweep
/// together start exactly one delivery; a dead letter is delivered again only by <see cref="RedriveAsync"/>.
/// Off when <c>Delegation:DelegatorWebhook:Url</c> is not set.
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

    /// <summary>After the status change (and on a repeated acceptance): schedule the first delivery, then mark the row.</summary>
    public async Task EnsureScheduledAsync(IDelegatorNotificationScheduler scheduler, string delegationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        // Without a row the notification was delivered (a repeated acceptance after the purge timer took the
        // finished instance must not deliver it again); a dead letter goes out again only by a re-drive.
        if (!Enabled || await outbox.FindAsync(delegationId, cancellationToken) is not { State: DelegatorNotificationRow.Expected or DelegatorNotificationRow.Scheduled })
        {
            return;
        }

        await scheduler.ScheduleIfMissingAsync(Input(delegationId, 0), cancellationToken);
        await outbox.MarkScheduledAsync(delegationId, cancellationToken);
    }

    /// <summary>The notification's state for <c>GET</c>: null once delivered (the history says when) or when there is none.</summary>
    public async Task<DelegatorNotificationView?> ViewAsync(string delegationId, CancellationToken cancellationToken = default) =>
        Enabled && await outbox.FindAsync(delegationId, cancellationToken) is { } row ? View(row) : null;

    /// <summary>
    /// Re-queues a dead-lettered notification as a new delivery (a new instance, the full schedule again).
    /// Idempotent: a re-drive of a notification already being delivered again answers its state and
    /// starts nothing; one that is not dead-lettered (delivered, or none) is <c>notification_not_dead_lettered</c>.
    /// </summary>
    public async Task<DelegatorNotificationView> RedriveAsync(IDelegatorNotificationScheduler scheduler, string delegationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        for (var tries = 0; ; tries++)
        {
            var row = Enabled ? await outbox.FindAsync(delegationId, cancellationToken) : null;

            // A delivery whose orchestration failed (its outcome never recorded) is as dead as a dead letter.
            var failed = row is { State: DelegatorNotificationRow.Scheduled } && await scheduler.HasFailedAsync(Input(delegationId, row.Redrives), cancellationToken);
            if (row is null || (row.State != DelegatorNotificationRow.DeadLettered && row.Redrives == 0 && !failed))
            {
                throw new ServiceException(ErrorCodes.NotificationNotDeadLettered);
            }

            if (row.State == DelegatorNotificationRow.DeadLettered || failed)
            {
                if (!await outbox.TryRedriveAsync(row, cancellationToken))
                {
                    if (tries < 3)
                    {
                        continue;
                    }

                    throw new ServiceException(ErrorCodes.Conflict, "The notification is being re-driven concurrently; retry.");
                }

                row = row with { State = DelegatorNotificationRow.Scheduled, Redrives = row.Redrives + 1 };
                logger.LogInformation("Delegator notification of delegation {DelegationId} re-driven ({Redrive})", delegationId, row.Redrives);
            }

            // Also for a re-drive already marked: its scheduling may have failed after the mark.
            await scheduler.ScheduleIfMissingAsync(Input(delegationId, row.Redrives), cancellationToken);
            return View(row);
        }
    }

    /// <summary>
    /// Schedules what a failed request left behind: for each row still <c>expected</c> after
    /// <see cref="SweepDelay"/>, an accepted delegation is scheduled; a pending one keeps its row (its
    /// acceptance may still commit) until <see cref="PendingGrace"/> after its validity end; any other row
    /// is removed. Returns how many were scheduled.
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
                await EnsureScheduledAsync(scheduler, delegationId, cancellationToken);
                scheduled++;
                logger.LogWarning("Delegator notification of delegation {DelegationId} scheduled by the sweep (its acceptance request did not)", delegationId);
            }
            else if (record is { Status: DelegationStatus.Pending } && now < record.ValidTo + PendingGrace)
            {
                continue;
            }
            else
            {
                await outbox.RemoveAsync(delegationId, cancellationToken);
            }
        }

        return scheduled;
    }

    private DelegatorNotificationInput Input(string delegationId, int redrive) =>
        new(delegationId, redrive, options.DelegatorWebhook!.Schedule);

    private static DelegatorNotificationView View(DelegatorNotificationRow row) => row.State == DelegatorNotificationRow.DeadLettered
        ? new DelegatorNotificationView(NotifyDelegatorActivity.Event, DelegatorNotificationStatus.DeadLettered, row.Redrives, row.Attempts, row.Code, row.DeadLetteredAt)
        : new DelegatorNotificationView(NotifyDelegatorActivity.Event, DelegatorNotificationStatus.Pending, row.Redrives);
}
