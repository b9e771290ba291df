using System.Net;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Disaster;

/// <summary>
/// Findings of the review of issue #12: a Cancel reaches every TV the cancelled alert reached — also a TV whose resident
/// unlinked it after the alert was shown (the TV still shows "…さん、すぐ避難してください"; without a linked resident the
/// cancel carries no name); the operation-log route takes only a TV platform's own webhook source; a TV moved with its
/// resident to another municipality counts there from the move on (it read "unknown"; its log before the move stays unseen), and the
/// municipality it left sees that resident no more; and a first link, by the same rule, tells nothing of the time before it.
/// </summary>
public sealed class DisasterReviewTests(DisasterApiFixture app) : IClassFixture<DisasterApiFixture>
{
    [Fact]
    public async Task A_cancel_reaches_a_tv_unlinked_after_the_alert_reached_it_without_a_name()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var district = "cu-" + run;
        var tv = district + "-1";
        var (owner, _) = await app.PairAsync(tv, "西興部　六郎", "ニシオコッペ　ロクロウ", Nishiokoppe, district);
        var sent = new DateTimeOffset(2026, 11, 29, 5, 0, 0, TimeSpan.Zero);
        using var original = await app.PostAlertAsync(CapSamples.EvacuationOrder("CU-" + run, sent, districtCode: district, municipalityCode: Nishiokoppe, lifetime: TimeSpan.FromDays(3650)), NishiokoppeKey);
        var originalId = (await ResponseAssert.JsonAsync(original, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
        await app.TvMessagesAsync(originalId, 1);
        await app.AlertStatusAsync(originalId, s => s.GetProperty("status").GetString() == "delivered", NishiokoppeKey);

        using (var unlinked = await app.SendAsync(HttpMethod.Delete, $"/api/tv/registrations/{Platform}/{tv}", bearerFor: owner))
        {
            Assert.Equal(HttpStatusCode.NoContent, unlinked.StatusCode);
        }

        using var cancel = await app.PostAlertAsync(CapSamples.Cancel("CU-" + run + "-C", sent.AddMinutes(10), "CU-" + run, sent).Replace(Minami, Nishiokoppe, StringComparison.Ordinal), NishiokoppeKey);
        var cancelId = (await ResponseAssert.JsonAsync(cancel, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
        var status = await app.AlertStatusAsync(cancelId, s => s.GetProperty("deliveries").GetArrayLength() > 0
            && s.GetProperty("deliveries").EnumerateArray().All(d => d.GetProperty("state").GetString() is "delivered" or "failed" or "expired"), NishiokoppeKey);
        var delivery = status.GetProperty("deliveries").EnumerateArray().Single();
        Assert.Equal((tv, "delivered"), (delivery.GetProperty("tvId").GetString(), delivery.GetProperty("state").GetString()));

        var message = (await app.TvMessagesAsync(cancelId, 1)).Single();
        Assert.Equal(("cancel", tv, originalId), (message.GetProperty("event").GetString(), message.GetProperty("tvId").GetString(), message.GetProperty("replaces")[0].GetString()));
        Assert.Equal("避難情報は解除されました。", message.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Another_webhook_sources_secret_is_no_tv_platforms_credential()
    {
        // Mynaportal's webhook secret, posting as "platform" mynaportal: it is a webhook source, not a TV platform.
        var run = Guid.NewGuid().ToString("N")[..10];
        using var response = await app.PostEventsAsync(new { events = new[] { Event("tv-" + run, "power_on", DateTimeOffset.UtcNow.AddMinutes(-1)) } },
            MynaportalSecret, "mynaportal");
        await ProblemAssert.ExactAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_tv_moved_with_its_resident_counts_for_the_new_municipality_from_the_move_on_and_for_the_old_one_no_more()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var (oldDistrict, newDistrict) = ("mv-" + run, "mv2-" + run);
        var tv = oldDistrict + "-tv";
        var (me, residentId) = await app.PairAsync(tv, "麦　移子", "ムギ　イコ", Nishiokoppe, oldDistrict);
        var on = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-2).UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        using (var posted = await app.PostEventsAsync(new { events = new[] { Event(tv, "power_on", on) } }))
        {
            Assert.Equal(1, (await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted)).GetProperty("accepted").GetInt32());
        }

        // The resident moves with the TV: the same card claims it for 牟岐町 (the TV is on since before the move).
        var (_, movedId) = await app.PairAsync(tv, "麦　移子", "ムギ　イコ", Mugi, newDistrict, myKeyId: me);
        Assert.Equal(residentId, movedId);
        var afterMove = DateTimeOffset.UtcNow;

        // Before the move the resident was 西興部村's: 牟岐町 learns nothing from the TV about that time (not at home by
        // it); from the move on, the TV's earlier power_on says it is on (at home).
        var beforeSlot = on.AddMinutes(1);
        var afterSlot = new DateTimeOffset((afterMove.UtcTicks / TimeSpan.TicksPerMinute + 1) * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        Assert.False(await AtHomeAsync(beforeSlot));
        Assert.True(await AtHomeAsync(afterSlot));

        async Task<bool> AtHomeAsync(DateTimeOffset at)
        {
            var slot = at.ToOffset(TimeSpan.FromHours(9));
            var (date, time) = (Iso(DateOnly.FromDateTime(slot.DateTime)), slot.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
            using var presence = await app.SendAsync(HttpMethod.Get, $"/api/disaster/presence?municipalityCode={Mugi}&date={date}&slots={time}&districtCode={newDistrict}", apiKey: MugiKey);
            var row = Assert.Single((await ResponseAssert.JsonAsync(presence, HttpStatusCode.OK)).GetProperty("rows").EnumerateArray());
            Assert.Equal(residentId, row.GetProperty("residentId").GetString());
            return row.GetProperty("slots").GetProperty(time).GetBoolean();
        }

        // An alert after the move (CAP's sent is in whole seconds: the next second after the move, once it has come).
        var sent = new DateTimeOffset((afterMove.UtcTicks / TimeSpan.TicksPerSecond + 1) * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        while (DateTimeOffset.UtcNow < sent)
        {
            await Task.Delay(sent - DateTimeOffset.UtcNow);
        }

        using var alert = await app.PostAlertAsync(CapSamples.EvacuationOrder("MV-" + run, sent, districtCode: newDistrict, municipalityCode: Mugi), MugiKey);
        var alertId = (await ResponseAssert.JsonAsync(alert, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
        await app.AlertStatusAsync(alertId, s => s.GetProperty("status").GetString() == "delivered", MugiKey);
        using (var evacuation = await app.SendAsync(HttpMethod.Get, $"/api/disaster/alerts/{alertId}/evacuation-status", apiKey: MugiKey))
        {
            var row = Assert.Single((await ResponseAssert.JsonAsync(evacuation, HttpStatusCode.OK)).GetProperty("rows").EnumerateArray());
            Assert.Equal((residentId, "on"), (row.GetProperty("residentId").GetString(), row.GetProperty("tvAtAlert").GetString()));
        }

        // 西興部村 sees the resident no more, not even for the time they lived there.
        var lived = beforeSlot.ToOffset(TimeSpan.FromHours(9));
        var (date, time) = (Iso(DateOnly.FromDateTime(lived.DateTime)), lived.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        using (var presence = await app.SendAsync(HttpMethod.Get, $"/api/disaster/presence?municipalityCode={Nishiokoppe}&date={date}&slots={time}&districtCode={oldDistrict}", apiKey: NishiokoppeKey))
        {
            Assert.Empty((await ResponseAssert.JsonAsync(presence, HttpStatusCode.OK)).GetProperty("rows").EnumerateArray());
        }

        using (var residents = await app.SendAsync(HttpMethod.Get, $"/api/disaster/residents?municipalityCode={Nishiokoppe}&districtCode={oldDistrict}", apiKey: NishiokoppeKey))
        {
            Assert.Empty((await ResponseAssert.JsonAsync(residents, HttpStatusCode.OK)).GetProperty("residents").EnumerateArray());
        }
    }

    [Fact]
    public async Task A_first_link_tells_nothing_of_the_time_before_it_and_a_tv_on_since_before_reads_on_from_it()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var district = "fl-" + run;
        var tv = district + "-tv";
        var before = DateTimeOffset.UtcNow;
        var (_, residentId) = await app.PairAsync(tv, "初　結子", "ハツ　ユイコ", Nishiokoppe, district);
        var linked = DateTimeOffset.UtcNow;

        // Posted after the pairing: switched on two hours before it, a channel change an hour before it; and, once the link's
        // next second has come, a button press after it.
        var on = Minute(before.AddHours(-2));
        var after = Second(linked.AddSeconds(1));
        while (DateTimeOffset.UtcNow < after)
        {
            await Task.Delay(after - DateTimeOffset.UtcNow);
        }

        using (var posted = await app.PostEventsAsync(new { events = new[] { Event(tv, "power_on", on), Event(tv, "channel", on.AddHours(1), channel: "NHK"), Event(tv, "button", after) } }))
        {
            Assert.Equal(3, (await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted)).GetProperty("accepted").GetInt32());
        }

        // 在宅状況確認: a slot before the link is not 在宅 by this TV (it was on then, and had an event in the hour before);
        // a slot after it is (on since before the link).
        Assert.Equal((residentId, "初　結子", false), await PresenceAsync(on.AddMinutes(90)));
        Assert.Equal((residentId, "初　結子", true), await PresenceAsync(Minute(linked).AddMinutes(1)));

        // 避難状況確認: an alert sent before the link (posted after it, so the TV got it) reads unknown; one sent after it, on.
        Assert.Equal((residentId, "初　結子", "unconfirmed", "unknown"), await EvacuationAsync("FL-" + run + "-1", Second(before).AddMinutes(-10)));
        Assert.Equal((residentId, "初　結子", "unconfirmed", "on"), await EvacuationAsync("FL-" + run + "-2", after));

        async Task<(string?, string?, bool)> PresenceAsync(DateTimeOffset at)
        {
            var slot = at.ToOffset(TimeSpan.FromHours(9));
            var (date, time) = (Iso(DateOnly.FromDateTime(slot.DateTime)), slot.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
            using var presence = await app.SendAsync(HttpMethod.Get, $"/api/disaster/presence?municipalityCode={Nishiokoppe}&date={date}&slots={time}&districtCode={district}", apiKey: NishiokoppeKey);
            var row = Assert.Single((await ResponseAssert.JsonAsync(presence, HttpStatusCode.OK)).GetProperty("rows").EnumerateArray());
            Assert.Equal([time], row.GetProperty("slots").EnumerateObject().Select(p => p.Name));
            return (row.GetProperty("residentId").GetString(), row.GetProperty("displayName").GetString(), row.GetProperty("slots").GetProperty(time).GetBoolean());
        }

        async Task<(string?, string?, string?, string?)> EvacuationAsync(string identifier, DateTimeOffset sent)
        {
            using var alert = await app.PostAlertAsync(CapSamples.EvacuationOrder(identifier, sent, districtCode: district, municipalityCode: Nishiokoppe), NishiokoppeKey);
            var alertId = (await ResponseAssert.JsonAsync(alert, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
            await app.AlertStatusAsync(alertId, s => s.GetProperty("status").GetString() == "delivered", NishiokoppeKey);
            using var evacuation = await app.SendAsync(HttpMethod.Get, $"/api/disaster/alerts/{alertId}/evacuation-status", apiKey: NishiokoppeKey);
            var row = Assert.Single((await ResponseAssert.JsonAsync(evacuation, HttpStatusCode.OK)).GetProperty("rows").EnumerateArray());
            return (row.GetProperty("residentId").GetString(), row.GetProperty("displayName").GetString(), row.GetProperty("confirmation").GetString(), row.GetProperty("tvAtAlert").GetString());
        }
    }

    [Fact]
    public async Task Events_before_a_first_link_do_not_make_a_slot_after_it_at_home()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var district = "fh-" + run;
        var tv = district + "-tv";
        var before = Second(DateTimeOffset.UtcNow);
        var (_, residentId) = await app.PairAsync(tv, "前　時子", "マエ　トキコ", Nishiokoppe, district);
        var linked = DateTimeOffset.UtcNow;

        // Posted after the pairing: switched on and off again before it, so the TV is off at the link, and both events fall
        // in the hour before the first slot after the link.
        using (var posted = await app.PostEventsAsync(new { events = new[] { Event(tv, "power_on", before.AddMinutes(-30)), Event(tv, "power_off", before.AddMinutes(-20)) } }))
        {
            Assert.Equal(2, (await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted)).GetProperty("accepted").GetInt32());
        }

        var slot = Minute(linked).AddMinutes(1).ToOffset(TimeSpan.FromHours(9));
        var (date, time) = (Iso(DateOnly.FromDateTime(slot.DateTime)), slot.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        using var presence = await app.SendAsync(HttpMethod.Get, $"/api/disaster/presence?municipalityCode={Nishiokoppe}&date={date}&slots={time}&districtCode={district}", apiKey: NishiokoppeKey);
        var row = Assert.Single((await ResponseAssert.JsonAsync(presence, HttpStatusCode.OK)).GetProperty("rows").EnumerateArray());
        Assert.Equal(residentId, row.GetProperty("residentId").GetString());
        Assert.False(row.GetProperty("slots").GetProperty(time).GetBoolean());
    }

    private static DateTimeOffset Minute(DateTimeOffset at) => new(at.UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static DateTimeOffset Second(DateTimeOffset at) => new(at.UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
