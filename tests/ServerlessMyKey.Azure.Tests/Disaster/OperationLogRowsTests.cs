using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Disaster;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// The operation log's layout on real Azurite: one row per event (<c>e|&lt;eventId&gt;</c>) in the TV's partition, the
/// time questions answered by the TVs' days (sharded in buckets) and, where a day cannot tell, by a scan of the TV's
/// log. A replayed request writes nothing; a request mixing new and seen event ids writes only the new ones.
/// </summary>
public sealed class OperationLogRowsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private readonly FanOutHarness _app = new(azurite);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private OperationLogService Ingest => _app.Services.GetRequiredService<OperationLogService>();

    [Fact]
    public async Task Each_event_is_one_row_of_its_tvs_partition()
    {
        var (_, tvs) = await _app.PairTvsAsync(2);
        var at = DateTimeOffset.UtcNow.AddMinutes(-30);
        var events = new[]
        {
            new TvEventInput("e-1", tvs[0], TvEventTypes.PowerOn, at),
            new TvEventInput("e-2", tvs[0], TvEventTypes.Channel, at.AddMinutes(1), "011"),
            new TvEventInput("e-3", tvs[0], TvEventTypes.PowerOff, at.AddMinutes(2)),
            new TvEventInput("e-1", tvs[1], TvEventTypes.Button, at),
        };

        Assert.Equal(new TvEventsAccepted(4, 0, 0), await Ingest.IngestAsync(FanOutHarness.Platform, new TvEventBatch(events)));

        var rows = await RowsAsync();
        Assert.Equal(["e|e-1", "e|e-2", "e|e-3"], rows.Where(r => r.PartitionKey == Key(tvs[0])).Select(r => r.RowKey).Order(StringComparer.Ordinal));
        Assert.Equal(["e|e-1"], rows.Where(r => r.PartitionKey == Key(tvs[1])).Select(r => r.RowKey));
        var channel = rows.Single(r => r.PartitionKey == Key(tvs[0]) && r.RowKey == "e|e-2");
        Assert.Equal((TvEventTypes.Channel, at.AddMinutes(1), "011"), (channel.GetString("Type"), channel.GetDateTimeOffset("At")!.Value, channel.GetString("Channel")));
    }

    [Fact]
    public async Task A_replayed_request_writes_nothing_and_counts_every_event_as_a_duplicate()
    {
        var (_, tvs) = await _app.PairTvsAsync(3);
        var at = DateTimeOffset.UtcNow.AddMinutes(-30);
        var batch = new TvEventBatch([.. tvs.SelectMany((tv, t) => Enumerable.Range(0, t + 1).Select(i => new TvEventInput($"e-{i}", tv, i % 2 == 0 ? TvEventTypes.PowerOn : TvEventTypes.Channel, at.AddSeconds(i))))]);
        Assert.Equal(new TvEventsAccepted(6, 0, 0), await Ingest.IngestAsync(FanOutHarness.Platform, batch));
        var logBefore = await RowsAsync();
        var daysBefore = await RowsAsync("TvDays");

        Assert.Equal(new TvEventsAccepted(0, 6, 0), await Ingest.IngestAsync(FanOutHarness.Platform, batch));

        Assert.Equal(Versions(logBefore), Versions(await RowsAsync()));
        Assert.Equal(Versions(daysBefore), Versions(await RowsAsync("TvDays")));
    }

    [Fact]
    public async Task A_request_mixing_new_and_seen_event_ids_writes_only_the_new_ones()
    {
        var (_, tvs) = await _app.PairTvsAsync(2);
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        await Ingest.IngestAsync(FanOutHarness.Platform, new TvEventBatch(
        [
            new TvEventInput("seen-1", tvs[0], TvEventTypes.PowerOn, at),
            new TvEventInput("seen-2", tvs[0], TvEventTypes.Channel, at.AddMinutes(1), "011"),
            new TvEventInput("seen-3", tvs[1], TvEventTypes.Button, at),
        ]));
        var seenRow = (await RowsAsync()).Single(r => r.PartitionKey == Key(tvs[0]) && r.RowKey == "e|seen-2");

        // seen-2 comes back with another time: still the same event (the log keeps the first).
        var mixed = await Ingest.IngestAsync(FanOutHarness.Platform, new TvEventBatch(
        [
            new TvEventInput("seen-1", tvs[0], TvEventTypes.PowerOn, at),
            new TvEventInput("new-1", tvs[0], TvEventTypes.PowerOff, at.AddMinutes(40)),
            new TvEventInput("seen-2", tvs[0], TvEventTypes.Channel, at.AddMinutes(50), "011"),
            new TvEventInput("new-2", tvs[0], TvEventTypes.Channel, at.AddMinutes(45), "021"),
            new TvEventInput("seen-3", tvs[1], TvEventTypes.Button, at),
            new TvEventInput("new-3", tvs[1], TvEventTypes.Button, at.AddMinutes(5)),
        ]));

        Assert.Equal(new TvEventsAccepted(3, 3, 0), mixed);
        var rows = await RowsAsync();
        Assert.Equal(["e|new-1", "e|new-2", "e|seen-1", "e|seen-2"], rows.Where(r => r.PartitionKey == Key(tvs[0])).Select(r => r.RowKey).Order(StringComparer.Ordinal));
        Assert.Equal(["e|new-3", "e|seen-3"], rows.Where(r => r.PartitionKey == Key(tvs[1])).Select(r => r.RowKey).Order(StringComparer.Ordinal));
        Assert.Equal(seenRow.ETag, rows.Single(r => r.PartitionKey == Key(tvs[0]) && r.RowKey == "e|seen-2").ETag);

        // The days hold the new events, and not the replayed duplicate's other time.
        // As of a link before these events (the view tells nothing of a time before the TV's link).
        var link = Assert.Single(await _app.Services.GetRequiredService<IDisasterRegistry>().ListTvsOfResidentAsync(_app.Holders[tvs[0]].MyKeyId)) with { LinkedAt = at.AddDays(-1) };
        var view = new TvDayView(_app.Services.GetRequiredService<ITvDayStore>(), _app.Services.GetRequiredService<TvActivity>(), FanOutHarness.Municipality);
        Assert.Equal(new TvPowerEvent(link.Key, TvEventTypes.PowerOff, at.AddMinutes(40)), await view.LastPowerEventAsync(link, at.AddMinutes(55)));
        Assert.Equal(at.AddMinutes(45), await view.LastEventAtAsync(link, at.AddMinutes(55)));
    }

    [Fact]
    public async Task The_logs_scan_answers_what_a_day_cannot_tell_as_the_days_do()
    {
        var (_, tvs) = await _app.PairTvsAsync(1);
        var minute = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-3).Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        await Ingest.IngestAsync(FanOutHarness.Platform, new TvEventBatch(
        [
            new TvEventInput("b", tvs[0], TvEventTypes.PowerOff, minute.AddSeconds(10)),
            new TvEventInput("a", tvs[0], TvEventTypes.PowerOn, minute.AddSeconds(10)),
            new TvEventInput("c", tvs[0], TvEventTypes.Channel, minute.AddSeconds(20), "011"),
            new TvEventInput("d", tvs[0], TvEventTypes.Button, minute.AddSeconds(50)),
        ]));
        var tv = new TvKey(FanOutHarness.Platform, tvs[0]);
        var log = _app.Services.GetRequiredService<IOperationLogStore>();
        var link = Assert.Single(await _app.Services.GetRequiredService<IDisasterRegistry>().ListTvsOfResidentAsync(_app.Holders[tvs[0]].MyKeyId)) with { LinkedAt = minute.AddDays(-1) };
        var view = new TvDayView(_app.Services.GetRequiredService<ITvDayStore>(), _app.Services.GetRequiredService<TvActivity>(), FanOutHarness.Municipality);

        // Two power events at one instant: the smaller event id, in the log as in the day.
        Assert.Equal(new TvPowerEvent(tv, TvEventTypes.PowerOn, minute.AddSeconds(10)), await log.LastPowerEventAsync(tv, minute.AddMinutes(1), minute.AddHours(-1)));
        Assert.Equal(new TvPowerEvent(tv, TvEventTypes.PowerOn, minute.AddSeconds(10)), await view.LastPowerEventAsync(link, minute.AddMinutes(1)));

        // At :30 the day knows the minute's first (:10) and last (:50) event only: the view asks the log, which finds :20.
        Assert.Equal(minute.AddSeconds(20), await log.LastEventAtAsync(tv, minute.AddHours(-1), minute.AddSeconds(30)));
        Assert.Equal(minute.AddSeconds(20), await view.LastEventAtAsync(link, minute.AddSeconds(30)));
        Assert.Null(await log.LastEventAtAsync(tv, minute.AddSeconds(21), minute.AddSeconds(49)));
        Assert.Null(await log.LastPowerEventAsync(tv, minute.AddSeconds(9), minute.AddHours(-1)));
    }

    [Fact]
    public async Task A_days_tvs_spread_over_bucket_partitions_and_are_read_back_from_all_of_them()
    {
        var store = new TableTvDayStore(new ServerlessMyKey.Azure.Tables.LazyTable(new TableServiceClient(azurite.ConnectionString), "TvDaysBuckets" + Guid.NewGuid().ToString("N")[..8]));
        var day = new DateOnly(2026, 11, 29);
        var at = JapanTime.At(day, new TimeOnly(9, 0)).ToUniversalTime();
        var events = Enumerable.Range(0, 200).Select(i => new TvEvent("e-" + i, "tv-" + i, "tv-aqua", TvEventTypes.PowerOn, at.AddSeconds(i), null, null)).ToList();

        await store.MergeAsync("363880", events);

        var read = await store.ListAsync("363880", day);
        Assert.Equal(200, read.Count);
        Assert.All(events, e => Assert.Equal("on", read[e.Key].LatestPower(e.At, e.At)));
        Assert.Equal(TableTvDayStore.Buckets, events.Select(e => TableTvDayStore.Bucket(e.Key)).Distinct().Count());

        // The bucket is a fixed function of the key (a TV's rows must stay where they are across versions and processes).
        Assert.Equal([7, 4, 5], new[] { "tv-aqua:tv-0", "tv-aqua:tv-1", "tv-aqua:tv-2" }.Select(k => TableTvDayStore.Bucket(TvKey.Parse(k))));
    }

    private static string Key(string tvId) => new TvKey(FanOutHarness.Platform, tvId).ToString();

    private async Task<List<TableEntity>> RowsAsync(string table = "TvOperationLogs") =>
        [.. _app.Table(table).Query<TableEntity>()];

    private static List<string> Versions(IEnumerable<TableEntity> rows) =>
        [.. rows.Select(r => $"{r.PartitionKey}/{r.RowKey}/{r.ETag}").Order(StringComparer.Ordinal)];
}
