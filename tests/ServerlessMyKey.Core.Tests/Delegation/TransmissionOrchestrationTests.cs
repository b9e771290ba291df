using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Messaging;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Delegation;

/// <summary>The transmission workflow in DurableTaskTestHost: ack, timeout, retries, late ack, transport failure.</summary>
public sealed class TransmissionOrchestrationTests : IAsyncLifetime
{
    private readonly FakePublisher _publisher = new();
    private readonly FakeStore _store = new();
    private DurableTaskTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _store.Records["active"] = Record("active", DelegationStatus.Active);
        _store.Records["revoked"] = Record("revoked", DelegationStatus.Revoked);
        _host = await DurableTestHosts.StartAsync(
            tasks =>
            {
                tasks.AddOrchestrator<DelegationTransmissionOrchestrator>();
                tasks.AddActivity<SealDelegationActivity>();
                tasks.AddActivity<PublishDelegationActivity>();
            },
            services => services
                .AddSingleton<IDelegationStore>(_store)
                .AddSingleton<IKeyService>(new FakeKeys())
                .AddSingleton<EnvelopeEncryption>()
                .AddSingleton<IOutboundPublisher>(_publisher)
                .AddSingleton(TimeProvider.System));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_ack_after_the_first_message_ends_acknowledged()
    {
        var id = await StartAsync("active", ackTimeout: TimeSpan.FromSeconds(30));
        await _publisher.WaitForAsync(id, 1);
        await _host.Client.RaiseEventAsync(id, DelegationTransmissionOrchestrator.AckEvent, new TransmissionAck("city-hall", DateTimeOffset.UtcNow));

        var result = await CompleteAsync(id);
        Assert.Equal(TransmissionStatus.Acknowledged, result.Status);
        Assert.Equal(1, result.Attempts);
        var message = Assert.Single(_publisher.Messages[id]);
        Assert.Equal(id + "-1", message.Message.MessageId);
        Assert.Equal("topic-city-hall", message.Destination);
        var jws = JsonDocument.Parse(message.Message.Body).RootElement.GetProperty("jws").GetString()!;
        Assert.Equal(3, jws.Split('.').Length);
    }

    [Fact]
    public async Task Without_an_ack_every_attempt_times_out_and_it_fails()
    {
        var id = await StartAsync("active", ackTimeout: TimeSpan.FromSeconds(1), maxAttempts: 3);

        var result = await CompleteAsync(id);
        Assert.Equal(TransmissionStatus.Failed, result.Status);
        Assert.Equal("ack_timeout", result.Code);
        Assert.Equal([id + "-1", id + "-2", id + "-3"], _publisher.Messages[id].Select(m => m.Message.MessageId));
    }

    [Fact]
    public async Task An_ack_to_a_retry_ends_acknowledged_after_two_attempts()
    {
        // The ack reaches the orchestration before the second attempt's publish returns (it is held until
        // then): acked after the publish, a loaded machine could let that attempt's 1 s run out first.
        _publisher.HeldAttempt = 2;
        var id = await StartAsync("active", ackTimeout: TimeSpan.FromSeconds(1), maxAttempts: 3);
        await _publisher.WaitForAsync(id, 2);
        await _host.Client.RaiseEventAsync(id, DelegationTransmissionOrchestrator.AckEvent, new TransmissionAck("city-hall", DateTimeOffset.UtcNow));
        _publisher.Release();

        var result = await CompleteAsync(id);
        Assert.Equal(TransmissionStatus.Acknowledged, result.Status);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task A_late_ack_after_failure_changes_nothing()
    {
        var id = await StartAsync("active", ackTimeout: TimeSpan.FromMilliseconds(500), maxAttempts: 1);
        Assert.Equal(TransmissionStatus.Failed, (await CompleteAsync(id)).Status);

        await _host.Client.RaiseEventAsync(id, DelegationTransmissionOrchestrator.AckEvent, new TransmissionAck("city-hall", DateTimeOffset.UtcNow));

        // No sleep: a termination sent after the ack is a fence. An instance's messages are handled in order, so
        // an instance that still took events would handle the ack first and then end Terminated; a finished one
        // drops both, and the wait below answers at once.
        await _host.Client.TerminateInstanceAsync(id, "fence after the late ack");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var after = await _host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, after.RuntimeStatus);
        var result = after.ReadOutputAs<TransmissionResult>()!;
        Assert.Equal((TransmissionStatus.Failed, "ack_timeout", 1), (result.Status, result.Code, result.Attempts));
        Assert.Single(_publisher.Messages[id]);
    }

    [Fact]
    public async Task A_transport_outage_spends_the_attempt_and_the_next_one_is_sent()
    {
        _publisher.FailuresLeft = 3; // the activity's own three tries of attempt 1
        var id = await StartAsync("active", ackTimeout: TimeSpan.FromSeconds(30), maxAttempts: 2);
        await _publisher.WaitForAsync(id, 1);
        await _host.Client.RaiseEventAsync(id, DelegationTransmissionOrchestrator.AckEvent, new TransmissionAck("city-hall", DateTimeOffset.UtcNow));

        var result = await CompleteAsync(id);
        Assert.Equal(TransmissionStatus.Acknowledged, result.Status);
        Assert.Equal(id + "-2", Assert.Single(_publisher.Messages[id]).Message.MessageId);
    }

    [Fact]
    public async Task A_storage_failure_while_sealing_is_retried_and_the_delegation_is_sent()
    {
        // Before: the seal activity had no retry, so one failed read failed the orchestration and the transmission stayed pending for ever.
        _store.FindFailuresLeft = 1;
        var id = await StartAsync("active", ackTimeout: TimeSpan.FromSeconds(30));
        await _publisher.WaitForAsync(id, 1);
        await _host.Client.RaiseEventAsync(id, DelegationTransmissionOrchestrator.AckEvent, new TransmissionAck("city-hall", DateTimeOffset.UtcNow));

        var result = await CompleteAsync(id);
        Assert.Equal(TransmissionStatus.Acknowledged, result.Status);
        Assert.Equal(id + "-1", Assert.Single(_publisher.Messages[id]).Message.MessageId);
    }

    [Fact]
    public async Task A_delegation_that_is_not_active_is_not_sent()
    {
        var id = await StartAsync("revoked", ackTimeout: TimeSpan.FromSeconds(30));
        var result = await CompleteAsync(id);
        Assert.Equal(TransmissionStatus.Failed, result.Status);
        Assert.Equal("delegation_not_active", result.Code);
        Assert.False(_publisher.Messages.ContainsKey(id));
    }

    private async Task<string> StartAsync(string delegationId, TimeSpan ackTimeout, int maxAttempts = 3)
    {
        var id = Guid.NewGuid().ToString("N");
        await _host.Client.ScheduleNewOrchestrationInstanceAsync(
            nameof(DelegationTransmissionOrchestrator),
            new TransmissionInput(id, delegationId, "MYKEYID", "city-hall", "topic-city-hall", ackTimeout, maxAttempts, TimeSpan.FromMilliseconds(200)),
            new StartOrchestrationOptions(id));
        return id;
    }

    private async Task<TransmissionResult> CompleteAsync(string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var metadata = await _host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return metadata.ReadOutputAs<TransmissionResult>()!;
    }

    private static DelegationRecord Record(string id, string status) => new(
        id, DelegationNumber.For(id), status, """{"powers":[]}""", new CertificateReference("aa", "01"), new CertificateReference("bb", "02"),
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), "MYKEYID", "etag");

    private sealed class FakePublisher : IOutboundPublisher
    {
        public ConcurrentDictionary<string, List<(string Destination, OutboundMessage Message)>> Messages { get; } = new();

        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int FailuresLeft { get; set; }

        /// <summary>The attempt whose publish returns only after <see cref="Release"/> (its message counts as sent when the call starts).</summary>
        public int? HeldAttempt { get; set; }

        public void Release() => _release.TrySetResult();

        public async Task PublishAsync(string destination, OutboundMessage message, CancellationToken cancellationToken = default)
        {
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new InvalidOperationException("The transport is down.");
            }

            var list = Messages.GetOrAdd(message.CorrelationId!, _ => []);
            lock (list)
            {
                list.Add((destination, message));
            }

            if (HeldAttempt is { } held && message.MessageId == $"{message.CorrelationId}-{held}")
            {
                await _release.Task.WaitAsync(cancellationToken);
            }
        }

        public async Task WaitForAsync(string transmissionId, int count)
        {
            // Generous: the second attempt comes after a timeout and a back-off on a possibly loaded machine.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (Messages.TryGetValue(transmissionId, out var list) && list.Count >= count)
                {
                    return;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"{count} message(s) were not published.");
        }
    }

    private sealed class FakeStore : IDelegationStore
    {
        public ConcurrentDictionary<string, DelegationRecord> Records { get; } = new();

        /// <summary>Reads that fail as storage does when it is down, before the next one succeeds.</summary>
        public int FindFailuresLeft { get => _findFailuresLeft; set => _findFailuresLeft = value; }

        private int _findFailuresLeft;

        public Task<DelegationRecord?> FindAsync(string delegationId, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _findFailuresLeft) >= 0
                ? throw new InvalidOperationException("storage unavailable (test)")
                : Task.FromResult(Records.GetValueOrDefault(delegationId));

        public Task<bool> TryCreateAsync(DelegationRecord record, DelegationEvent created, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string?> FindIdByNumberAsync(string number, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TryUpdateAsync(DelegationRecord updated, DelegationEvent change, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task AppendAsync(string delegationId, DelegationEvent entry, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<DelegationHistoryPage> HistoryAsync(string delegationId, int limit, string? after = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task RecordTransmissionSealedAsync(string delegationId, string transmissionId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<bool> WasTransmissionSealedAsync(string delegationId, string transmissionId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class FakeKeys : IKeyService
    {
        public Task<KeySignature> SignAsync(string keyName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
            Task.FromResult(new KeySignature("kid-1", new byte[64]));

        public Task<PublicJsonWebKey> GetPublicKeyAsync(string keyName, CancellationToken cancellationToken = default) =>
            Task.FromResult(new PublicJsonWebKey("kid-1", "EC", "P-256"));

        public Task<bool> VerifyAsync(string keyName, string keyId, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        // The data key "wrapped" as is: these tests are about the workflow, not the key service.
        public Task<WrappedKey> WrapKeyAsync(string keyName, ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken = default) =>
            Task.FromResult(new WrappedKey("kid-1", "none", dataKey.ToArray()));

        public Task<byte[]> UnwrapKeyAsync(string keyName, WrappedKey wrappedKey, CancellationToken cancellationToken = default) =>
            Task.FromResult(wrappedKey.Value);
    }
}
