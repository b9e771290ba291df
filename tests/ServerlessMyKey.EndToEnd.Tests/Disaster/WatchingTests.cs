using System.Net;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Disaster;

/// <summary>
/// Watching (見守り) through the DevHost whose timer runs every 2 seconds, in 西興部村 with a district of its own; the app's
/// clock is moved a day past the pairing (a TV's events timed before its link tell nothing, so the episodes come after it).
/// </summary>
[Collection(DisasterWatchingCollection.Name)]
public sealed class WatchingTests(DisasterWatchingFixture app)
{
    [Fact]
    public async Task Watching_tells_the_municipality_once_per_episode_for_residents_who_consented()
    {
        var district = "w-" + Guid.NewGuid().ToString("N")[..10];
        var onTv = district + "-on";
        var idleTv = district + "-idle";
        var quietTv = district + "-noconsent";
        var (idler, _) = await app.PairAsync(idleTv, "西興部　静香", "ニシオコッペ　シズカ", Nishiokoppe, district, watching: true);
        DateTimeOffset idleLinkedAt;
        using (var registrations = await app.SendAsync(HttpMethod.Get, "/api/tv/registrations", bearerFor: idler))
        {
            idleLinkedAt = (await ResponseAssert.JsonAsync(registrations, HttpStatusCode.OK)).GetProperty("registrations")[0].GetProperty("linkedAt").GetDateTimeOffset();
        }

        // ② is paired now, and the platform later posts its last button press, 4 hours before its link (which tells nothing of
        // the time before it). Five hours later ① and ③ (without consent) are paired and switched on. Then the clock goes on to
        // 26 hours after ②'s pairing: ① on for 21 hours, ② idle since its link, 26 hours (not since the button press, 30).
        // Whatever a watching run read before the events came, it cannot see ① idle (21 hours since its link) or ② otherwise.
        var linked = DateTimeOffset.UtcNow;
        try
        {
            app.MoveClockTo(linked.AddHours(5));
            var (_, watched) = await app.PairAsync(onTv, "西興部　見守", "ニシオコッペ　ミマモリ", Nishiokoppe, district, watching: true);
            await app.PairAsync(quietTv, "西興部　無同意", "ニシオコッペ　ムドウイ", Nishiokoppe, district, watching: false);
            await WatchAsync(district, (onTv, idleTv, quietTv), watched, linked, idleLinkedAt);
        }
        finally
        {
            app.Clock.Offset = TimeSpan.Zero;
        }
    }

    private async Task WatchAsync(string district, (string, string, string) tvs, string watched, DateTimeOffset linked, DateTimeOffset idleLinkedAt)
    {
        var (onTv, idleTv, quietTv) = tvs;
        var on = app.Now;
        using (var posted = await app.PostEventsAsync(new
        {
            events = new[]
            {
                Event(onTv, "power_on", on),
                Event(idleTv, "button", linked.AddHours(-4)),
                Event(quietTv, "power_on", on),
            },
        }))
        {
            await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted);
        }

        app.MoveClockTo(linked.AddHours(26));
        var told = await Eventually.WaitForAsync(() =>
        {
            var found = app.Cities.Received.Where(r => r.Path == "/hooks/nishiokoppe").Select(r => JsonOf(r.Body))
                .Where(b => b.GetProperty("tvId").GetString()!.StartsWith(district, StringComparison.Ordinal)).ToList();
            return Task.FromResult(found.Select(f => f.GetProperty("tvId").GetString()).Distinct().Count() >= 2 ? found : null);
        }, TimeSpan.FromSeconds(30));
        Assert.Equal([(idleTv, "idle_too_long"), (onTv, "on_too_long")], told.Select(t => (t.GetProperty("tvId").GetString(), t.GetProperty("kind").GetString())).Distinct().Order());
        Assert.All(told, t => Assert.Equal("watch.alert", t.GetProperty("event").GetString()));
        Assert.All(app.Cities.Received.Where(r => r.Path == "/hooks/nishiokoppe"), r => AssertSigned(r, CitySecret));

        using var list = await app.SendAsync(HttpMethod.Get, $"/api/disaster/watch-alerts?municipalityCode={Nishiokoppe}", apiKey: NishiokoppeKey);
        var alerts = (await ResponseAssert.JsonAsync(list, HttpStatusCode.OK)).GetProperty("watchAlerts").EnumerateArray()
            .Where(a => a.GetProperty("tvId").GetString()!.StartsWith(district, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, alerts.Count);
        var onTooLong = alerts.Single(a => a.GetProperty("kind").GetString() == "on_too_long");
        Assert.Equal((watched, "西興部　見守"), (onTooLong.GetProperty("residentId").GetString(), onTooLong.GetProperty("displayName").GetString()));
        Assert.Equal(on.ToUnixTimeSeconds(), onTooLong.GetProperty("since").GetDateTimeOffset().ToUnixTimeSeconds());
        var idle = alerts.Single(a => a.GetProperty("kind").GetString() == "idle_too_long");
        Assert.Equal(idleLinkedAt, idle.GetProperty("since").GetDateTimeOffset());
    }
}
