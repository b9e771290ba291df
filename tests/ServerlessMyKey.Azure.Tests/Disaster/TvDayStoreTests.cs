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

    /// <summary>
    /// Review finding (r12h): a TV's day is up to about 51 KB (500 power events with 64-character ids, every minute
    /// active), and a request's TVs of one bucket went into one transaction of up to 100 rows — over Table Storage's
    /// 4 MiB, so the merge threw (a 500 for the platform's every request touching those TVs). Transactions are cut by size.
    /// </summary>
    [Fact]
    public async Task A_hundred_full_days_of_one_bucket_are_written_in_transactions_under_4_MiB()
    {
        var name = "TvDays" + Guid.NewGuid().ToString("N")[..8];
        var tvs = Enumerable.Range(0, 1000).Select(i => $"tv-full-{i}").Where(tv => TableTvDayStore.Bucket(new TvKey("tv-aqua", tv)) == 3).Take(100).ToList();
        var events = tvs.SelectMany(tv => Enumerable.Range(0, 24 * 60).Select(minute => minute < TvDay.MaxPowerEvents
            ? new TvEvent(minute.ToString("D64", System.Globalization.CultureInfo.InvariantCulture), tv, "tv-aqua", minute % 2 == 0 ? TvEventTypes.PowerOn : TvEventTypes.PowerOff, JapanTime.At(Day, TimeOnly.MinValue).AddMinutes(minute).ToUniversalTime(), null, null)
            : new TvEvent("c" + minute, tv, "tv-aqua", TvEventTypes.Channel, JapanTime.At(Day, TimeOnly.MinValue).AddMinutes(minute).ToUniversalTime(), null, null))).ToList();

        await Store(name).MergeAsync(Municipality, events);

        var stored = await Store(name).ListAsync(Municipality, Day);
        Assert.Equal(100, stored.Count);
        var expected = new TvDay(Day);
        events.Where(e => e.TvId == tvs[0]).ToList().ForEach(e => expected.Add(e));
        Assert.True(expected.ToBytes().Length > 50_000);
        Assert.All(tvs, tv => Assert.Equal(expected.ToBytes(), stored[new TvKey("tv-aqua", tv)].ToBytes()));
    }

    private TableTvDayStore Store(string name) => new(new LazyTable(new TableServiceClient(azurite.ConnectionString), name));

    private static TvEvent Event(string tvId, string eventId, string type, int minute) =>
        new(eventId, tvId, "tv-aqua", type, JapanTime.At(Day, new TimeOnly(8, 0)).AddMinutes(minute).ToUniversalTime(), null, null);
}
