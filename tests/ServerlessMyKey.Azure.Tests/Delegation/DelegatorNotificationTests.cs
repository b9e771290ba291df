using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Delegation;

/// <summary>
/// No acceptance goes unannounced: the outbox row written before the status change survives a failure
/// to schedule the notification, and the sweep schedules it — once. Real Azurite tables; the scheduler
/// stands for the Durable client and fails when told to.
/// </summary>
public sealed class DelegatorNotificationTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly TemporaryDirectory _keys = new();
    private readonly DelegationTables _tables;

    public DelegatorNotificationTests(AzuriteFixture azurite)
    {
        _tables = new DelegationTables(azurite.ConnectionString, new LocalKeyFileService(_keys.Path));
    }

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task A_notification_whose_scheduling_failed_after_the_acceptance_is_scheduled_once_by_the_sweep()
    {
        var (store, notifications) = Create();
        var record = await AcceptedAsync(store, notifications);
        var scheduler = new RecordingScheduler { FailuresLeft = 1 };

        // The acceptance request commits, then fails to schedule (a crash would do the same).
        await Assert.ThrowsAsync<InvalidOperationException>(() => notifications.EnsureScheduledAsync(scheduler, record.DelegationId));
        Assert.Empty(scheduler.Scheduled);

        // Young rows belong to requests still in flight; after the delay the sweep schedules it, once.
        Assert.Equal(0, await notifications.SweepAsync(scheduler));
        _clock.Advance(DelegatorNotifications.SweepDelay + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await notifications.SweepAsync(scheduler));
        Assert.Equal(0, await notifications.SweepAsync(scheduler));
        Assert.Equal([record.DelegationId], scheduler.Scheduled);
    }

    [Fact]
    public async Task A_delivery_whose_orchestration_failed_can_be_re_driven_once()
    {
        var (store, notifications) = Create();
        var record = await AcceptedAsync(store, notifications);
        var scheduler = new RecordingScheduler();
        await notifications.EnsureScheduledAsync(scheduler, record.DelegationId);

        // A still-running delivery is not re-driven.
        var running = await Assert.ThrowsAsync<ServiceException>(() => notifications.RedriveAsync(scheduler, record.DelegationId));
        Assert.Equal("notification_not_dead_lettered", running.Error.Code);

        // Its orchestration fails before recording an outcome: the row stays scheduled, and a re-drive starts a new delivery.
        scheduler.Failed.Add((record.DelegationId, 0));
        var view = await notifications.RedriveAsync(scheduler, record.DelegationId);
        Assert.Equal((DelegatorNotificationStatus.Pending, 1), (view.Status, view.Redrives));

        // Asked again while that re-drive runs: the same delivery is answered, no third one.
        Assert.Equal(1, (await notifications.RedriveAsync(scheduler, record.DelegationId)).Redrives);
        Assert.Equal([(record.DelegationId, 0), (record.DelegationId, 1)], scheduler.Instances);
    }

    [Fact]
    public async Task A_repeated_acceptance_after_the_delivered_instance_was_purged_delivers_nothing_again()
    {
        var (store, notifications) = Create();
        var record = await AcceptedAsync(store, notifications);
        var scheduler = new RecordingScheduler();
        await notifications.EnsureScheduledAsync(scheduler, record.DelegationId);

        // Delivered (the recording activity removes the row), then the purge timer takes the finished instance.
        await _tables.Outbox().RemoveAsync(record.DelegationId);
        scheduler.Purge();

        // The delegate's client repeats the acceptance: 200 active, and no second webhook.
        await notifications.EnsureScheduledAsync(scheduler, record.DelegationId);
        Assert.Empty(scheduler.Instances);
    }

    [Fact]
    public async Task A_successful_acceptance_leaves_nothing_for_the_sweep()
    {
        var (store, notifications) = Create();
        var record = await AcceptedAsync(store, notifications);
        var scheduler = new RecordingScheduler();

        await notifications.EnsureScheduledAsync(scheduler, record.DelegationId);
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(0, await notifications.SweepAsync(scheduler));
        Assert.Equal([record.DelegationId], scheduler.Scheduled);
    }

    [Fact]
    public async Task An_acceptance_that_never_committed_is_kept_while_pending_and_dropped_once_answered_otherwise()
    {
        var (store, notifications) = Create();
        var record = await DelegationTables.PendingAsync(store, _clock.GetUtcNow());
        await notifications.ExpectAsync(record.DelegationId);
        var scheduler = new RecordingScheduler();
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(0, await notifications.SweepAsync(scheduler));

        // Still pending: a later commit of that acceptance must find the row. Rejected: nothing to announce.
        var pending = await store.FindAsync(record.DelegationId);
        Assert.True(await store.TryUpdateAsync(pending! with { Status = DelegationStatus.Rejected }, new DelegationEvent(_clock.GetUtcNow(), "rejected")));
        Assert.Equal(0, await notifications.SweepAsync(scheduler));
        Assert.Empty(scheduler.Scheduled);
        Assert.Empty(await _tables.Outbox().DueAsync(_clock.GetUtcNow()));
    }

    private async Task<DelegationRecord> AcceptedAsync(IDelegationStore store, DelegatorNotifications notifications)
    {
        var record = await DelegationTables.PendingAsync(store, _clock.GetUtcNow());

        // What DelegationService.AcceptAsync does: the outbox row, then the status change.
        await notifications.ExpectAsync(record.DelegationId);
        var accepted = record with { Status = DelegationStatus.Active, DelegateCertificate = new CertificateReference("ab", "02") };
        Assert.True(await store.TryUpdateAsync(accepted, new DelegationEvent(_clock.GetUtcNow(), "accepted", Actor: "delegate")));
        return accepted;
    }

    private (IDelegationStore Store, DelegatorNotifications Notifications) Create()
    {
        var store = _tables.Store();
        var options = new DelegationOptions(new HashSet<string>(DelegationOptions.DefaultProcedures))
        {
            DelegatorWebhook = new DelegatorWebhookEndpoint(new Uri("https://portal.example/hooks"), new byte[16]),
        };
        return (store, new DelegatorNotifications(store, _tables.Outbox(), options, _clock, NullLogger<DelegatorNotifications>.Instance));
    }

    /// <summary>Schedules like the Durable client does (one instance per id), failing the first <see cref="FailuresLeft"/> calls.</summary>
    private sealed class RecordingScheduler : IDelegatorNotificationScheduler
    {
        public int FailuresLeft { get; set; }

        public List<string> Scheduled { get; } = [];

        /// <summary>Every instance scheduled: delegation id and re-drive.</summary>
        public List<(string DelegationId, int Redrive)> Instances { get; } = [];

        /// <summary>Instances whose orchestration failed (an outcome never recorded).</summary>
        public HashSet<(string DelegationId, int Redrive)> Failed { get; } = [];

        /// <summary>The purge timer: every (finished) instance is gone.</summary>
        public void Purge()
        {
            Scheduled.Clear();
            Instances.Clear();
        }

        public Task<bool> HasFailedAsync(DelegatorNotificationInput input, CancellationToken cancellationToken = default) =>
            Task.FromResult(Failed.Contains((input.DelegationId, input.Redrive)));

        public Task ScheduleIfMissingAsync(DelegatorNotificationInput input, CancellationToken cancellationToken = default)
        {
            var delegationId = input.DelegationId;
            if (FailuresLeft-- > 0)
            {
                throw new InvalidOperationException("The task hub did not answer.");
            }

            if (!Scheduled.Contains(delegationId))
            {
                Scheduled.Add(delegationId);
            }

            if (!Instances.Contains((delegationId, input.Redrive)))
            {
                Instances.Add((delegationId, input.Redrive));
            }

            return Task.CompletedTask;
        }
    }
}
