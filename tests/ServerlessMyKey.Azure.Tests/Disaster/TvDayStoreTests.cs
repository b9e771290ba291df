using Azure.Data.Tables;
using ServerlessMyKey.Azure.Disaster;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// The TVs' days on real Azurite: two app instances (each with its own memory of the rows it wrote) merging into the
/// same TV days at once, and an instance that starts after rows exist, end with the union of every event; replays
/// change nothing.
/// </summary>
public sealed class TvDayStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Municipality = "363880";
    private static readonly DateOnly Day = new(2026, 11, 29);

    [Fact]
    public async Task Two_instances_merging_the_same_tv_days_at_once_keep_every_event()
    {
        var name = "TvDays" + Guid.NewGuid().ToString("N")[..8];
        var (first, second) = (Store(name), Store(name));
        var events = Enumerable.Range(0, 400).Select(i => Event($"tv-{i % 40}", $"e{i}", i % 7 == 0 ? TvEventTypes.PowerOn : TvEventTypes.Channel, i)).ToList();

        // Each instance posts every other request of ten events; then both again (replays), in another order.
        await Task.WhenAll(
            Task.Run(async () => { foreach (var chunk in events.Chunk(10).Where((_, i) => i % 2 == 0)) { await first.MergeAsync(Municipality, chunk); } }),
            Task.Run(async () => { foreach (var chunk in events.Chunk(10).Where((_, i) => i % 2 == 1)) { await second.MergeAsync(Municipality, chunk); } }));
        await second.MergeAsync(Municipality, events);
        await Store(name).MergeAsync(Municipality, [.. Enumerable.Reverse(events)]);

        var stored = await Store(name).ListAsync(Municipality, Day);
        Assert.Equal(40, stored.Count);
        foreach (var tv in events.GroupBy(e => e.Key))
        {
            var expected = new TvDay(Day);
            tv.ToList().ForEach(e => expected.Add(e));
            Assert.Equal(expected.ToBytes(), stored[tv.Key].ToBytes());
        }
    }

    private TableTvDayStore Store(string name) => new(new LazyTable(new TableServiceClient(azurite.ConnectionString), name));

    private static TvEvent Event(string tvId, string eventId, string type, int minute) =>
        new(eventId, tvId, "tv-aqua", type, JapanTime.At(Day, new TimeOnly(8, 0)).AddMinutes(minute).ToUniversalTime(), null, null);
}
