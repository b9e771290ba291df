using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// A request naming many TVs looks their links up with one range query of the platform's TV rows (not a read per
/// TV): it still accepts exactly the platform's linked TVs, and counts an unlinked TV and one never paired as unknown.
/// </summary>
public sealed class IngestLookupTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private readonly FanOutHarness _app = new(azurite);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Many_tvs_of_a_request_are_looked_up_at_once_and_only_linked_ones_accepted()
    {
        var (_, tvs) = await _app.PairTvsAsync(40);
        await _app.Services.GetRequiredService<TvPairingService>().UnlinkAsync(FanOutHarness.Platform, tvs[7], _app.Holders[tvs[7]]);
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var events = tvs.Append(tvs[0] + "-never-paired").Select((tv, i) => new TvEventInput("e-" + i, tv, TvEventTypes.PowerOn, at)).ToList();

        // Nothing is cached for these TVs (pairing and unlinking forget them): 41 lookups, so the range query.
        var accepted = await _app.Services.GetRequiredService<OperationLogService>().IngestAsync(FanOutHarness.Platform, new TvEventBatch(events));

        Assert.Equal(new TvEventsAccepted(39, 0, 2), accepted);
    }

    [Fact]
    public async Task A_range_lookup_stops_scanning_other_tvs_and_reads_the_rest_one_by_one()
    {
        var (_, tvs) = await _app.PairTvsAsync(40);
        var service = _app.Services.GetRequiredService<global::Azure.Data.Tables.TableServiceClient>();
        var name = _app.Tables.Query(t => t.Name.CompareTo(_app.TablePrefix) >= 0).Select(t => t.Name)
            .Single(n => n.StartsWith(_app.TablePrefix, StringComparison.Ordinal) && n.EndsWith("DisasterRegistry", StringComparison.Ordinal));
        var registry = new ServerlessMyKey.Azure.Disaster.TableDisasterRegistry(new ServerlessMyKey.Azure.Tables.LazyTable(service, name), TimeProvider.System, minimumScan: 8);
        var sorted = tvs.Order(StringComparer.Ordinal).ToArray(); // the rows' order: the lowest, a middle and the highest TV
        var wanted = new[] { sorted[0], sorted[20], sorted[^1] }.Select(tv => new TvKey(FanOutHarness.Platform, tv)).ToList();

        // 40 TVs lie between the lowest and highest wanted one; the scan reads 12 rows (4 per wanted TV) and stops.
        var found = await registry.FindTvsOfPlatformAsync(FanOutHarness.Platform, wanted);

        Assert.Equal(wanted.Select(k => k.ToString()).Order(StringComparer.Ordinal), found.Select(link => link.Key.ToString()).Order(StringComparer.Ordinal));
    }
}
