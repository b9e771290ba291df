using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// <c>alert_displayed</c> events mark their TVs' deliveries as displayed, the earliest time kept. A request's displays are
/// one bounded lookup of the alert's deliveries and entity-group transactions, not a read and a write per event (review
/// finding: 1,000 displays in a request cost 1,000 reads). Real Azurite tables; the requests are counted.
/// </summary>
public sealed class AlertDisplayTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private readonly FanOutHarness _app = new(azurite);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private OperationLogService Logs => _app.Services.GetRequiredService<OperationLogService>();

    [Fact]
    public async Task A_requests_displays_are_one_read_of_the_deliveries_and_keep_each_tvs_earliest_time()
    {
        var (district, tvs) = await _app.PairTvsAsync(40);
        var alertId = await _app.AlertAndPlanAsync(district);
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-2).UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        await Logs.IngestAsync(FanOutHarness.Platform, new TvEventBatch([Displayed("early-2", tvs[2], start.AddMinutes(-10), alertId)]));
        var events = tvs.Select((tv, i) => Displayed("d-" + i, tv, start.AddMinutes(i), alertId))
            .Append(Displayed("later-0", tvs[0], start.AddMinutes(50), alertId))   // later than its first display: kept as it was
            .Append(Displayed("earlier-1", tvs[1], start.AddMinutes(-5), alertId)) // earlier, in the same request: this one
            .Append(Displayed("other-alert", tvs[3], start, "a-" + new string('0', 24))) // an alert without a delivery to it
            .ToList();
        _app.TableRequests.Reset();

        var accepted = await Logs.IngestAsync(FanOutHarness.Platform, new TvEventBatch(events));

        Assert.Equal(new TvEventsAccepted(43, 0, 0), accepted);
        // One read per alert: the range read of this alert's 40 deliveries, a point read for the other; the writes are $batch.
        Assert.Equal(2, _app.TableRequests.To("DisasterAlerts"));
        var expected = tvs.Select((tv, i) => (tv, i switch { 1 => start.AddMinutes(-5), 2 => start.AddMinutes(-10), _ => start.AddMinutes(i) }));
        foreach (var (tv, at) in expected)
        {
            Assert.Equal((tv, at), (tv, (await _app.DeliveryAsync(alertId, tv)).DisplayedAt));
        }
    }

    /// <summary>
    /// Review finding (r12h): a replay of a stored event id — the same id posted again with another time, or naming
    /// another alert — was a duplicate for the log and the TV's days, yet still marked a delivery displayed: the
    /// log said one thing, the delivery another. Only the event as stored counts.
    /// </summary>
    [Fact]
    public async Task A_replayed_event_id_with_another_time_or_alert_marks_nothing()
    {
        var (district, tvs) = await _app.PairTvsAsync(1);
        var first = await _app.AlertAndPlanAsync(district);
        await _app.NextItemAsync(AlertWorkItem.Deliver); // the first alert's delivery, not run: the second alert's plan is next
        var second = await _app.AlertAndPlanAsync(district);
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-2).UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        Assert.Equal(new TvEventsAccepted(1, 0, 0), await Logs.IngestAsync(FanOutHarness.Platform, new TvEventBatch([Displayed("shown", tvs[0], start, first)])));

        var replays = await Logs.IngestAsync(FanOutHarness.Platform, new TvEventBatch([Displayed("shown", tvs[0], start.AddMinutes(-30), first)]));
        var otherAlert = await Logs.IngestAsync(FanOutHarness.Platform, new TvEventBatch([Displayed("shown", tvs[0], start, second)]));

        Assert.Equal((new TvEventsAccepted(0, 1, 0), new TvEventsAccepted(0, 1, 0)), (replays, otherAlert));
        Assert.Equal((start, (DateTimeOffset?)null), ((await _app.DeliveryAsync(first, tvs[0])).DisplayedAt, (await _app.DeliveryAsync(second, tvs[0])).DisplayedAt));
    }

    private static TvEventInput Displayed(string eventId, string tv, DateTimeOffset at, string alertId) =>
        new(eventId, tv, TvEventTypes.AlertDisplayed, at, AlertId: alertId);
}
