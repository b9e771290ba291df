using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Disaster;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// <c>mykey-ops disaster migrate-tv-keys</c> on Azurite: rows as the version before TV keys took the platform wrote them
/// (<c>tv|&lt;tvId&gt;</c>, <c>t|&lt;tvId&gt;</c>, <c>d|&lt;tvId&gt;</c>, log partition <c>&lt;tvId&gt;</c>, watch rows with
/// <c>TvId</c>, no index under the current CAP identity key) are read by this version's stores once migrated; rows that
/// name no platform are deleted and counted; a second run changes nothing.
/// </summary>
public sealed class TvKeyMigrationTests : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private const string Municipality = "363880";
    private const string Platform = "tv-mig";
    private const string Tv = "tv-old";
    private readonly TemporaryDirectory _keys = new();
    private readonly string _prefix = "Mig" + Guid.NewGuid().ToString("N")[..8];
    private readonly TableServiceClient _tables;
    private readonly ServiceProvider _services;

    public TvKeyMigrationTests(AzuriteFixture azurite)
    {
        _tables = new TableServiceClient(azurite.ConnectionString);
        _services = DisasterTestServices.Build(azurite, new global::Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString), new Dictionary<string, string?>
        {
            ["Keys:LocalPath"] = _keys.Path,
            [$"Disaster:Municipalities:{Municipality}:Clients"] = "mig-staff",
        }, _prefix, exactPrefix: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _keys.Dispose();
    }

    [Fact]
    public async Task Rows_of_the_earlier_tv_keys_are_moved_and_read_by_this_version()
    {
        var key = new TvKey(Platform, Tv);
        var linkedAt = DateTimeOffset.UtcNow.AddDays(-1);
        var registry = await TableAsync("DisasterRegistry");
        TableEntity Link(string partition, string row) => new(partition, row)
        {
            ["PlatformId"] = Platform, ["ResidentId"] = "r-0123456789abcdef", ["MyKeyId"] = "KMIGRATE", ["MunicipalityCode"] = Municipality,
            ["DistrictCode"] = "d01", ["LinkedAt"] = linkedAt,
        };
        await registry.AddEntityAsync(Link("tv|" + Tv, "row"));
        await registry.AddEntityAsync(Link("k|KMIGRATE", "t|" + Tv));
        await registry.AddEntityAsync(Link("m|" + Municipality, "t|" + Tv));
        await registry.AddEntityAsync(new TableEntity("tv|tv-gone", "row") { ["Unlinked"] = true, ["UnlinkedAt"] = linkedAt });
        await registry.AddEntityAsync(new TableEntity("m|" + Municipality, "t|tv-nameless") { ["ResidentId"] = "r-0123456789abcdef" });

        var sent = new DateTimeOffset(2026, 11, 29, 10, 15, 0, TimeSpan.FromHours(9));
        var alertId = "a-" + Guid.NewGuid().ToString("N")[..24];
        await _services.GetRequiredService<IAlertStore>().TryAddAlertAsync(new DisasterAlert(alertId, "JP-MIG-1", "minami@example.jp", sent, "Actual", "Alert",
            [Municipality], [], [], 4, [], null, false, AlertStates.Delivered, 1, "mig-staff", sent, [0x3c]), null);
        var alerts = await TableAsync("DisasterAlerts");
        await alerts.AddEntityAsync(new TableEntity(alertId, "d|" + Tv)
        {
            ["PlatformId"] = Platform, ["ResidentId"] = "r-0123456789abcdef", ["MunicipalityCode"] = Municipality, ["DistrictCode"] = "d01",
            ["State"] = DeliveryStates.Delivered, ["Attempts"] = 1,
        });

        // The log as the earlier version kept it: this version's rows of the TV, under the TV id alone.
        var on = DateTimeOffset.UtcNow.AddHours(-3);
        await _services.GetRequiredService<IOperationLogStore>().AppendAsync([new TvEvent("e-1", Tv, Platform, TvEventTypes.PowerOn, on, null, null)]);
        var logs = await TableAsync("TvOperationLogs");
        var logRows = logs.Query<TableEntity>(r => r.PartitionKey == key.ToString()).ToList();
        foreach (var row in logRows)
        {
            await logs.DeleteEntityAsync(row.PartitionKey, row.RowKey);
            row.PartitionKey = Tv;
            await logs.AddEntityAsync(row);
        }

        var watches = await TableAsync("DisasterWatchAlerts");
        await watches.AddEntityAsync(new TableEntity(Municipality, "w|0001|wa-1")
        {
            ["WatchAlertId"] = "wa-1", ["ResidentId"] = "r-0123456789abcdef", ["TvId"] = Tv, ["Kind"] = "idle_too_long", ["Since"] = linkedAt, ["RaisedAt"] = linkedAt,
        });

        var result = await new TvKeyMigration(_tables, _prefix).RunAsync();

        Assert.Equal((1, 1, 2, 1, 1, logRows.Count, 1, 1),
            (result.Links, result.Tombstones, result.IndexRows, result.Deliveries, result.CapIdentities, result.LogRows, result.WatchAlerts, result.WithoutPlatform));
        var stores = _services.GetRequiredService<IDisasterRegistry>();
        Assert.Equal(("KMIGRATE", "d01", linkedAt), (await stores.FindTvAsync(key)) is { } link ? (link.MyKeyId, link.DistrictCode, link.LinkedAt) : default);
        Assert.Equal(key, Assert.Single(await stores.ListTvsOfResidentAsync("KMIGRATE")).Key);
        Assert.Equal(key, Assert.Single(await stores.ListTvsAsync(Municipality)).Key);
        var delivery = Assert.Single(await _services.GetRequiredService<IAlertStore>().ListDeliveriesAsync(alertId));
        Assert.Equal((key, DeliveryStates.Delivered), (delivery.Key, delivery.State));
        Assert.Equal(alertId, await _services.GetRequiredService<IAlertStore>().FindAlertIdByCapAsync("minami@example.jp", "JP-MIG-1", sent.ToUniversalTime()));
        Assert.Equal(TvEventTypes.PowerOn, (await _services.GetRequiredService<IOperationLogStore>().LastPowerEventAsync(key, DateTimeOffset.UtcNow, on.AddDays(-1)))?.Type);
        Assert.Equal(key, Assert.Single(await _services.GetRequiredService<IWatchAlertStore>().ListAsync(Municipality, 10)).Tv);
        Assert.Empty(registry.Query<TableEntity>(r => r.PartitionKey == "tv|tv-gone"));
        Assert.Empty(logs.Query<TableEntity>(r => r.PartitionKey == Tv));

        var again = await new TvKeyMigration(_tables, _prefix).RunAsync();
        Assert.Equal((0, 0, 0, 0, 0, 0, 0, 0), (again.Links, again.Tombstones, again.IndexRows, again.Deliveries, again.CapIdentities, again.LogRows, again.WatchAlerts, again.WithoutPlatform));
    }

    private async Task<TableClient> TableAsync(string name)
    {
        var table = _tables.GetTableClient(_prefix + name);
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
