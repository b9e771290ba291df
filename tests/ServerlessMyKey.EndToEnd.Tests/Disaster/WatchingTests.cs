using System.Net;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Disaster;

/// <summary>Watching (見守り) through the DevHost whose timer runs every 2 seconds, in 西興部村 with a district of its own.</summary>
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
        var (_, watched) = await app.PairAsync(onTv, "西興部　見守", "ニシオコッペ　ミマモリ", Nishiokoppe, district, watching: true);
        await app.PairAsync(idleTv, "西興部　静香", "ニシオコッペ　シズカ", Nishiokoppe, district, watching: true);
        await app.PairAsync(quietTv, "西興部　無同意", "ニシオコッペ　ムドウイ", Nishiokoppe, district, watching: false);
        var now = DateTimeOffset.UtcNow;
        using (var posted = await app.PostEventsAsync(new
        {
            events = new[]
            {
                Event(onTv, "power_on", now.AddHours(-20)),
                Event(idleTv, "button", now.AddHours(-30)),
                Event(quietTv, "power_on", now.AddHours(-20)),
            },
        }))
        {
            await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted);
        }

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
        var on = alerts.Single(a => a.GetProperty("kind").GetString() == "on_too_long");
        Assert.Equal((watched, "西興部　見守"), (on.GetProperty("residentId").GetString(), on.GetProperty("displayName").GetString()));
        Assert.Equal(now.AddHours(-20).ToUnixTimeSeconds(), on.GetProperty("since").GetDateTimeOffset().ToUnixTimeSeconds());
    }
}
