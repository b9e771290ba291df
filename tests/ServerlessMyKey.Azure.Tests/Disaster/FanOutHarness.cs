using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Disaster;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// The disaster services on real Azurite tables and a queue of their own (a table prefix per harness), a loopback
/// TV platform, and the test as the queue trigger: pairs residents' TVs, posts an alert and pumps the fan-out.
/// The sending lease is 2 seconds so that a re-check runs in seconds.
/// </summary>
public sealed class FanOutHarness : IAsyncDisposable
{
    public const string Municipality = "363880";
    public const string Platform = "tv-lease";
    private readonly TemporaryDirectory _keys = new();
    private readonly ServiceClient _staff = new("lease-staff", new HashSet<string> { DisasterRoles.Admin });

    /// <param name="sendingLease">
    /// Shortened only where a test waits for a lease to run out: with a lease of seconds, a run slowed down by a
    /// loaded machine outlives its lease and a concurrent run (or the re-check) takes its TVs and sends again.
    /// </param>
    public FanOutHarness(AzuriteFixture azurite, TimeSpan? sendingLease = null)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        var queueName = AzuriteServer.UniqueName("lease-deliveries");
        TablePrefix = "Lease" + Guid.NewGuid().ToString("N")[..8];
        var queues = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Tables = new TableServiceClient(azurite.ConnectionString);
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(TableRequests, global::Azure.Core.HttpPipelinePosition.PerCall);
        Services = DisasterTestServices.Build(azurite, queues, new Dictionary<string, string?>
        {
            ["Keys:LocalPath"] = _keys.Path,
            ["Disaster:DeliveryQueue"] = queueName,
            [$"Disaster:Municipalities:{Municipality}:Clients"] = _staff.ClientId,
            [$"Clients:{Platform}:WebhookUrl"] = new Uri(Tvs.BaseAddress, "hooks/" + Platform).ToString(),
            [$"Clients:{Platform}:WebhookSecret"] = "lease-test-webhook-secret-0123456789abcdef",
        }, TablePrefix, configuration =>
        {
            var options = DisasterServiceCollectionExtensions.ReadOptions(configuration);
            return sendingLease is { } lease ? options with { SendingLease = lease } : options;
        }, tableOptions);
        Queue = queues.GetQueueClient(queueName);
    }

    public LoopbackWebhookReceiver Tvs { get; } = LoopbackWebhookReceiver.Start();

    /// <summary>The requests the services send to Table Storage.</summary>
    public TableRequestCounter TableRequests { get; } = new();

    public ServiceProvider Services { get; }

    public QueueClient Queue { get; }

    public TableServiceClient Tables { get; }

    /// <summary>The start of this harness's table names (DisasterTestServices appends a suffix of its own).</summary>
    public string TablePrefix { get; }

    /// <summary>One of this harness's tables, by its base name (e.g. <c>DisasterAlerts</c>).</summary>
    public TableClient Table(string name) =>
        Tables.GetTableClient(Tables.Query(t => t.Name.CompareTo(TablePrefix) >= 0).Select(t => t.Name).Single(n => n.StartsWith(TablePrefix, StringComparison.Ordinal) && n.EndsWith(name, StringComparison.Ordinal)));

    public AlertFanOut FanOut => Services.GetRequiredService<AlertFanOut>();

    public IAlertStore Alerts => Services.GetRequiredService<IAlertStore>();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Tvs.DisposeAsync();
        _keys.Dispose();
    }

    /// <summary>The card holder who claimed each TV paired here.</summary>
    public Dictionary<string, Citizen> Holders { get; } = new(StringComparer.Ordinal);

    /// <summary>Pairs <paramref name="count"/> TVs (one resident each) in a district of their own; returns the district and the TV ids.</summary>
    public async Task<(string District, string[] TvIds)> PairTvsAsync(int count, string displayName = "美波　太郎")
    {
        var district = "l-" + Guid.NewGuid().ToString("N")[..12];
        var pairings = Services.GetRequiredService<TvPairingService>();
        var tvIds = new string[count];
        for (var i = 0; i < count; i++)
        {
            tvIds[i] = $"{district}-tv{i}";
            var code = await pairings.CreatePairingAsync(new PairingRequest(tvIds[i]), new ServiceClient(Platform, new HashSet<string> { DisasterRoles.TvPlatform }));
            Holders[tvIds[i]] = new Citizen("K" + Guid.NewGuid().ToString("N")[..15], "01", DateTimeOffset.MaxValue);
            await pairings.ClaimAsync(code.PairingCode, new PairingClaim(new ResidentDetails(displayName, "ミナミ　タロウ", Municipality, district), null), Holders[tvIds[i]]);
        }

        return (district, tvIds);
    }

    /// <summary>Posts an evacuation order to the district and runs its plan; returns the alert id.</summary>
    public async Task<string> AlertAndPlanAsync(string district)
    {
        var cap = CapSamples.EvacuationOrder("LEASE-" + district + "-" + Guid.NewGuid().ToString("N")[..6], DateTimeOffset.UtcNow, districtCode: district);
        var accepted = await Services.GetRequiredService<AlertService>().SubmitAsync(Encoding.UTF8.GetBytes(cap), null, _staff);
        var alertId = System.Text.Json.JsonDocument.Parse(accepted.Body).RootElement.GetProperty("alertId").GetString()!;
        await FanOut.RunAsync(await NextItemAsync(AlertWorkItem.Plan));
        return alertId;
    }

    public async Task<AlertDelivery> DeliveryAsync(string alertId, string tvId) =>
        Assert.Single(await Alerts.FindDeliveriesAsync(alertId, [new TvKey(Platform, tvId)]));

    public async Task<(string State, int Attempts)> StateAsync(string alertId, string tvId)
    {
        var delivery = await DeliveryAsync(alertId, tvId);
        return (delivery.State, delivery.Attempts);
    }

    /// <summary>The messages the platform received for the TV of the alert.</summary>
    public int ReceivedFor(string alertId, string tvId) =>
        Tvs.Received.Count(r => Encoding.UTF8.GetString(r.Body) is var body && body.Contains(alertId, StringComparison.Ordinal) && body.Contains($"\"tvId\":\"{tvId}\"", StringComparison.Ordinal));

    /// <summary>The next visible work item (which must be of <paramref name="kind"/>), taken off the queue.</summary>
    public async Task<AlertWorkItem> NextItemAsync(string kind)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if ((await Queue.ReceiveMessagesAsync(1)).Value is [var message])
            {
                await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                var item = StorageAlertWorkQueue.Parse(message.Body.ToString());
                Assert.Equal(kind, item.Kind);
                return item;
            }

            Assert.True(DateTime.UtcNow < deadline, "No work item was queued.");
            await Task.Delay(100);
        }
    }

    /// <summary>Runs the queue as its trigger would until <paramref name="done"/> holds.</summary>
    public async Task PumpUntilAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting.");
            if ((await Queue.ReceiveMessagesAsync(16)).Value is { Length: > 0 } messages)
            {
                foreach (var message in messages)
                {
                    await FanOut.RunAsync(StorageAlertWorkQueue.Parse(message.Body.ToString()));
                    await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
            }
            else
            {
                await Task.Delay(100);
            }
        }
    }
}
