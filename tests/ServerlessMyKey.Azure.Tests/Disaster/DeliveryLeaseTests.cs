using System.Text;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Disaster;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// A worker that stops mid-send (its function cancelled while the platform holds the request) leaves the TV's
/// delivery "sending": the re-check queued with the lease sends it again once the lease is over, and finds
/// nothing to do when the send completed. Real Azurite tables and queue, a loopback platform; the test is the
/// queue trigger (a 2-second lease so it runs in seconds).
/// </summary>
public sealed class DeliveryLeaseTests : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private const string Municipality = "363880";
    private readonly TemporaryDirectory _keys = new();
    private readonly LoopbackWebhookReceiver _platform = LoopbackWebhookReceiver.Start();
    private readonly ServiceProvider _services;
    private readonly QueueClient _queue;
    private readonly ServiceClient _staff = new("lease-staff", new HashSet<string> { DisasterRoles.Admin });

    public DeliveryLeaseTests(AzuriteFixture azurite)
    {
        var queueName = AzuriteServer.UniqueName("lease-deliveries");
        var queues = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        _services = DisasterTestServices.Build(azurite, queues, new Dictionary<string, string?>
        {
            ["Keys:LocalPath"] = _keys.Path,
            ["Disaster:DeliveryQueue"] = queueName,
            [$"Disaster:Municipalities:{Municipality}:Clients"] = _staff.ClientId,
            ["Clients:tv-lease:WebhookUrl"] = new Uri(_platform.BaseAddress, "hooks/tv-lease").ToString(),
            ["Clients:tv-lease:WebhookSecret"] = "lease-test-webhook-secret-0123456789abcdef",
        }, "Lease", configuration => DisasterServiceCollectionExtensions.ReadOptions(configuration) with { SendingLease = TimeSpan.FromSeconds(2) });
        _queue = queues.GetQueueClient(queueName);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _platform.DisposeAsync();
        _keys.Dispose();
    }

    [Fact]
    public async Task A_delivery_left_sending_by_a_worker_that_stopped_is_sent_again_once_its_lease_is_over()
    {
        var (alertId, tv) = await AlertToOneTvAsync();
        var deliver = await NextItemAsync(AlertWorkItem.Deliver);

        // The worker leases the TV, posts, and is stopped while the platform holds the request.
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _platform.BeforeAnswer = async _ =>
        {
            arrived.TrySetResult();
            await release.Task;
        };
        using (var stop = new CancellationTokenSource())
        {
            var worker = FanOut.RunAsync(deliver, stop.Token);
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker);
        }

        _platform.BeforeAnswer = null;
        release.TrySetResult();
        Assert.Equal((DeliveryStates.Sending, 1), await StateAsync(alertId, tv));

        // Nothing else is queued for the TV but the re-check of that lease: it sends again.
        await PumpUntilAsync(async () => (await StateAsync(alertId, tv)).State == DeliveryStates.Delivered);
        Assert.Equal((DeliveryStates.Delivered, 2), await StateAsync(alertId, tv));
    }

    [Fact]
    public async Task The_recheck_of_a_completed_delivery_sends_nothing()
    {
        var (alertId, tv) = await AlertToOneTvAsync();
        await PumpUntilAsync(async () => (await StateAsync(alertId, tv)).State == DeliveryStates.Delivered);

        // The re-check becomes visible after the lease; the queue is empty once it ran.
        await PumpUntilAsync(async () => (await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0);
        Assert.Single(_platform.Received, r => Encoding.UTF8.GetString(r.Body).Contains(alertId, StringComparison.Ordinal));
        Assert.Equal((DeliveryStates.Delivered, 1), await StateAsync(alertId, tv));
    }

    private AlertFanOut FanOut => _services.GetRequiredService<AlertFanOut>();

    /// <summary>Pairs a TV of its own district, posts an alert to that district and runs the plan.</summary>
    private async Task<(string AlertId, string TvId)> AlertToOneTvAsync()
    {
        var district = "l-" + Guid.NewGuid().ToString("N")[..12];
        var tv = district + "-tv";
        var pairings = _services.GetRequiredService<TvPairingService>();
        var code = await pairings.CreatePairingAsync(new PairingRequest(tv), new ServiceClient("tv-lease", new HashSet<string> { DisasterRoles.TvPlatform }));
        await pairings.ClaimAsync(code.PairingCode, new PairingClaim(new ResidentDetails("美波　太郎", "ミナミ　タロウ", Municipality, district), null),
            new Citizen("K" + Guid.NewGuid().ToString("N")[..15], "01", DateTimeOffset.MaxValue));
        var cap = CapSamples.EvacuationOrder("LEASE-" + district, DateTimeOffset.UtcNow, districtCode: district);
        var accepted = await _services.GetRequiredService<AlertService>().SubmitAsync(Encoding.UTF8.GetBytes(cap), null, _staff);
        var alertId = System.Text.Json.JsonDocument.Parse(accepted.Body).RootElement.GetProperty("alertId").GetString()!;
        await FanOut.RunAsync(await NextItemAsync(AlertWorkItem.Plan));
        return (alertId, tv);
    }

    private async Task<(string State, int Attempts)> StateAsync(string alertId, string tvId)
    {
        var delivery = Assert.Single(await _services.GetRequiredService<IAlertStore>().FindDeliveriesAsync(alertId, [new TvKey("tv-lease", tvId)]));
        return (delivery.State, delivery.Attempts);
    }

    /// <summary>The next visible work item (which must be of <paramref name="kind"/>), taken off the queue.</summary>
    private async Task<AlertWorkItem> NextItemAsync(string kind)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if ((await _queue.ReceiveMessagesAsync(1)).Value is [var message])
            {
                await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                var item = StorageAlertWorkQueue.Parse(message.Body.ToString());
                Assert.Equal(kind, item.Kind);
                return item;
            }

            Assert.True(DateTime.UtcNow < deadline, "No work item was queued.");
            await Task.Delay(100);
        }
    }

    /// <summary>Runs the queue as its trigger would until <paramref name="done"/> holds.</summary>
    private async Task PumpUntilAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting.");
            if ((await _queue.ReceiveMessagesAsync(16)).Value is { Length: > 0 } messages)
            {
                foreach (var message in messages)
                {
                    await FanOut.RunAsync(StorageAlertWorkQueue.Parse(message.Body.ToString()));
                    await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
            }
            else
            {
                await Task.Delay(100);
            }
        }
    }
}
