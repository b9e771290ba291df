using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Disaster;

/// <summary>
/// The seed's drill through the DevHost, with virtual cards and a loopback TV platform: three residents of
/// 美波町 pair their TVs; the platform posts a scripted day of operation logs (the next day, JST, which the app's clock
/// is moved to: a TV's events timed before its link tell the municipality nothing); the town posts a CAP evacuation order; every TV receives its personal message, signed; one resident checks in at
/// the shelter, two do not; the two tables say exactly what the logs say; the Cancel reaches every TV.
/// 美波町 belongs to this test alone (the other tests use 西興部村).
/// </summary>
public sealed class DisasterDrillTests(DisasterApiFixture app) : IClassFixture<DisasterApiFixture>
{
    [Fact]
    public async Task The_drill_runs_end_to_end()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (tv1, tv2, tv3) = ($"drill-{run}-1", $"drill-{run}-2", $"drill-{run}-3");
        var (me1, r1) = await app.PairAsync(tv1, "美波　一郎", "ミナミ　イチロウ", Minami, "d01");
        var (me2, card2) = await app.NewCardholderAsync(new CardHolder("美波　花子", "徳島県海部郡美波町奥河内字寺前136-1", new DateOnly(1950, 4, 1), "female"));
        var (_, r2) = await app.PairAsync(tv2, "美波　花子", "ミナミ　ハナコ", Minami, "d01", myKeyId: me2);
        var (_, r3) = await app.PairAsync(tv3, "日和佐　次郎", "ヒワサ　ジロウ", Minami, "d02");

        using (var residents = await app.SendAsync(HttpMethod.Get, $"/api/disaster/residents?municipalityCode={Minami}&districtCode=d01", apiKey: MinamiKey))
        {
            var rows = (await ResponseAssert.JsonAsync(residents, HttpStatusCode.OK)).GetProperty("residents").EnumerateArray()
                .Select(r => (r.GetProperty("residentId").GetString(), r.GetProperty("displayName").GetString(), r.GetProperty("furigana").GetString(), r.GetProperty("tvIds")[0].GetString()))
                .ToList();
            Assert.Equal([(r1, "美波　一郎", "ミナミ　イチロウ", tv1), (r2, "美波　花子", "ミナミ　ハナコ", tv2)], rows.OrderBy(r => r.Item3, StringComparer.Ordinal));
        }

        // The scripted day (the day after the pairing, JST; the drill runs at its 23:30): ① on 08:30–10:00 and from 20:30;
        // ② off at 07:00, a channel change at 14:20; ③ off at 23:00.
        var day = TodayJst.AddDays(1);
        app.MoveClockTo(Jst(day, 23, 30));
        try
        {
            await RunDrillAsync(run, (tv1, tv2, tv3), (r1, r2, r3), day, () => app.LoginAsync(card2));
        }
        finally
        {
            app.Clock.Offset = TimeSpan.Zero;
        }
    }

    private async Task RunDrillAsync(string run, (string, string, string) tvs, (string, string, string) residents, DateOnly day, Func<Task<string>> logInSecond)
    {
        var ((tv1, tv2, tv3), (r1, r2, r3)) = (tvs, residents);
        using (var posted = await app.PostEventsAsync(new
        {
            events = new[]
            {
                Event(tv1, "power_on", Jst(day, 8, 30)), Event(tv1, "channel", Jst(day, 8, 45), channel: "NHK"), Event(tv1, "power_off", Jst(day, 10, 0)),
                Event(tv1, "power_on", Jst(day, 20, 30)),
                Event(tv2, "power_off", Jst(day, 7, 0)), Event(tv2, "channel", Jst(day, 14, 20), channel: "011"),
                Event(tv3, "power_off", Jst(day, 23, 0)),
            },
        }))
        {
            var accepted = await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted);
            Assert.Equal((7, 0, 0), (accepted.GetProperty("accepted").GetInt32(), accepted.GetProperty("duplicates").GetInt32(), accepted.GetProperty("unknownTvs").GetInt32()));
        }

        // The alert.
        var sent = app.Now.AddSeconds(-5);
        using var submitted = await app.PostAlertAsync(CapSamples.EvacuationOrder($"MINAMI-DRILL-{run}", sent), idempotencyKey: "drill-" + run);
        var accepted202 = await ResponseAssert.JsonAsync(submitted, HttpStatusCode.Accepted);
        var alertId = accepted202.GetProperty("alertId").GetString()!;
        Assert.Equal(("delivering", 3), (accepted202.GetProperty("status").GetString(), accepted202.GetProperty("targets").GetInt32()));

        var messages = await app.TvMessagesAsync(alertId, 3);
        Assert.Equal([tv1, tv2, tv3], messages.Select(m => m.GetProperty("tvId").GetString()).Order());
        var first = messages.Single(m => m.GetProperty("tvId").GetString() == tv1);
        Assert.Equal("美波　一郎さん、すぐ避難してください。【警戒レベル4】避難指示。避難先: 美波町役場、日和佐小学校。", first.GetProperty("text").GetString());
        Assert.Equal(("alert", 4, false), (first.GetProperty("event").GetString(), first.GetProperty("level").GetInt32(), first.GetProperty("exercise").GetBoolean()));
        Assert.Equal(["美波町役場", "日和佐小学校"], first.GetProperty("shelters").EnumerateArray().Select(s => s.GetString()));
        Assert.True(first.TryGetProperty("expires", out _));
        foreach (var received in app.Tvs.Received.Where(r => JsonOf(r.Body).GetProperty("alertId").GetString() == alertId))
        {
            Assert.Equal("/hooks/tv-aqua", received.Path);
            AssertSigned(received, PlatformHookSecret);
        }

        // TV ① shows it; resident ② evacuates with the card at the shelter (twice: the first time stays).
        using (var displayed = await app.PostEventsAsync(new { events = new[] { Event(tv1, "alert_displayed", app.Now, alertId) } }))
        {
            await ResponseAssert.JsonAsync(displayed, HttpStatusCode.Accepted);
        }

        var me2 = await logInSecond(); // the token of the pairing's day has expired
        using var checkin = await app.SendAsync(HttpMethod.Post, "/api/disaster/shelters/hiwasa-elementary/checkins", apiKey: ShelterKey, bearerFor: me2);
        var evacuated = await ResponseAssert.JsonAsync(checkin, HttpStatusCode.Created);
        Assert.Equal((r2, "hiwasa-elementary", "evacuated"), (evacuated.GetProperty("residentId").GetString(), evacuated.GetProperty("shelterId").GetString(), evacuated.GetProperty("status").GetString()));
        using var again = await app.SendAsync(HttpMethod.Post, "/api/disaster/shelters/minami-town-hall/checkins", apiKey: ShelterKey, bearerFor: me2);
        var second = await ResponseAssert.JsonAsync(again, HttpStatusCode.Created);
        Assert.Equal(("minami-town-hall", evacuated.GetProperty("at").GetDateTimeOffset()), (second.GetProperty("shelterId").GetString(), second.GetProperty("at").GetDateTimeOffset()));

        var status = await app.AlertStatusAsync(alertId, s => s.GetProperty("counts").GetProperty("displayed").GetInt32() == 1 && s.GetProperty("status").GetString() == "delivered");
        var counts = status.GetProperty("counts");
        Assert.Equal((3, 3, 0, 0), (counts.GetProperty("targets").GetInt32(), counts.GetProperty("delivered").GetInt32(), counts.GetProperty("failed").GetInt32(), counts.GetProperty("pending").GetInt32()));

        // ① 避難状況確認.
        using (var table = await app.SendAsync(HttpMethod.Get, $"/api/disaster/alerts/{alertId}/evacuation-status", apiKey: MinamiKey))
        {
            var rows = (await ResponseAssert.JsonAsync(table, HttpStatusCode.OK)).GetProperty("rows").EnumerateArray()
                .Select(r => (r.GetProperty("residentId").GetString(), r.GetProperty("displayName").GetString(), r.GetProperty("confirmation").GetString(),
                    r.TryGetProperty("shelterId", out var shelter) ? shelter.GetString() : null, r.GetProperty("tvAtAlert").GetString()))
                .ToList();
            Assert.Equal(
                [(r1, "美波　一郎", "unconfirmed", null, "on"), (r2, "美波　花子", "evacuated", "minami-town-hall", "off"), (r3, "日和佐　次郎", "unconfirmed", null, "off")],
                rows);
        }

        using (var csv = await app.SendAsync(HttpMethod.Get, $"/api/disaster/alerts/{alertId}/evacuation-status?format=csv&districtCode=d01", apiKey: MinamiKey))
        {
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            var bytes = await csv.Content.ReadAsByteArrayAsync();
            Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
            var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("氏名,フリガナ,地区,確認状況,避難所,確認時刻,発災時視聴状況", lines[0]);
            Assert.Equal("美波　一郎,ミナミ　イチロウ,d01,未確認,,,ついている", lines[1]);
            Assert.StartsWith("美波　花子,ミナミ　ハナコ,d01,避難済,minami-town-hall,", lines[2], StringComparison.Ordinal);
            Assert.EndsWith(",ついていない", lines[2], StringComparison.Ordinal);
            Assert.Equal(3, lines.Length);
        }

        // ② 在宅状況確認 for the scripted day.
        using (var presence = await app.SendAsync(HttpMethod.Get, $"/api/disaster/presence?municipalityCode={Minami}&date={Iso(day)}&slots=09:00,15:00,21:00", apiKey: MinamiKey))
        {
            var rows = (await ResponseAssert.JsonAsync(presence, HttpStatusCode.OK)).GetProperty("rows").EnumerateArray()
                .Select(r => (r.GetProperty("residentId").GetString(), Slots(r)))
                .ToList();
            Assert.Equal([(r1, "09:00=True 15:00=False 21:00=True"), (r2, "09:00=False 15:00=True 21:00=False"), (r3, "09:00=False 15:00=False 21:00=False")], rows);
        }

        using (var csv = await app.SendAsync(HttpMethod.Get, $"/api/disaster/presence?municipalityCode={Minami}&date={Iso(day)}&districtCode=d02&format=csv", apiKey: MinamiKey))
        {
            var text = Encoding.UTF8.GetString((await csv.Content.ReadAsByteArrayAsync())[3..]);
            Assert.Equal("氏名,フリガナ,地区,09:00,15:00,21:00\r\n日和佐　次郎,ヒワサ　ジロウ,d02,不在,不在,不在\r\n", text);
        }

        // Another municipality's staff sees neither the alert nor the town's tables.
        using (var foreign = await app.SendAsync(HttpMethod.Get, $"/api/disaster/alerts/{alertId}/evacuation-status", apiKey: NishiokoppeKey))
        {
            await ProblemAssert.ExactAsync(foreign, HttpStatusCode.NotFound, "alert_not_found");
        }

        using (var foreign = await app.SendAsync(HttpMethod.Get, $"/api/disaster/presence?municipalityCode={Minami}&date={Iso(day)}", apiKey: NishiokoppeKey))
        {
            await ProblemAssert.ExactAsync(foreign, HttpStatusCode.Forbidden, "forbidden");
        }

        // The Cancel reaches every TV the alert reached, and the alert says it was cancelled.
        using var cancel = await app.PostAlertAsync(CapSamples.Cancel($"MINAMI-DRILL-{run}-C", app.Now, $"MINAMI-DRILL-{run}", sent));
        var cancelId = (await ResponseAssert.JsonAsync(cancel, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
        var withdrawals = await app.TvMessagesAsync(cancelId, 3);
        Assert.All(withdrawals, m => Assert.Equal(("cancel", alertId), (m.GetProperty("event").GetString(), m.GetProperty("replaces")[0].GetString())));
        Assert.Equal([tv1, tv2, tv3], withdrawals.Select(m => m.GetProperty("tvId").GetString()).Order());
        var original = await app.AlertStatusAsync(alertId, s => s.GetProperty("status").GetString() == "cancelled");
        Assert.Equal(cancelId, original.GetProperty("replacedBy").GetString());
    }

    private static string Slots(JsonElement row) =>
        string.Join(' ', row.GetProperty("slots").EnumerateObject().Select(s => $"{s.Name}={s.Value.GetBoolean()}"));
}
