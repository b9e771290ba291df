using System.Net;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Disaster;

/// <summary>
/// The life of a TV link through the DevHost: a pairing code past its 10 minutes, a resident who moves to
/// another municipality with their TV, and events of a TV unlinked a moment ago (西興部村 and 牟岐町, a district
/// of each test's own).
/// </summary>
public sealed class TvPairingTests(DisasterApiFixture app) : IClassFixture<DisasterApiFixture>
{
    [Fact]
    public async Task A_pairing_code_claimed_after_its_ten_minutes_is_expired()
    {
        var tv = "exp-" + Guid.NewGuid().ToString("N")[..10];
        using var pairing = await app.SendAsync(HttpMethod.Post, "/api/tv/pairings", new { tvId = tv }, PlatformKey);
        var code = (await ResponseAssert.JsonAsync(pairing, HttpStatusCode.Created)).GetProperty("pairingCode").GetString()!;
        var resident = await app.NewCitizenAsync();

        app.Clock.Offset = TimeSpan.FromMinutes(11);
        try
        {
            using var claimed = await app.SendAsync(HttpMethod.Post, $"/api/tv/pairings/{code}/claim", Claim(Nishiokoppe, "exp"), bearerFor: resident);
            await ProblemAssert.ExactAsync(claimed, HttpStatusCode.Gone, "pairing_expired");
        }
        finally
        {
            app.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task A_tv_paired_again_for_another_municipality_no_longer_gets_the_old_municipalitys_alerts()
    {
        var district = "mv-" + Guid.NewGuid().ToString("N")[..10];
        var tv = district + "-tv";
        var (myKeyId, residentId) = await app.PairAsync(tv, "西興部　移住", "ニシオコッペ　イジュウ", Nishiokoppe, district);
        var (_, moved) = await app.PairAsync(tv, "西興部　移住", "ニシオコッペ　イジュウ", Mugi, district, myKeyId: myKeyId);
        Assert.Equal(residentId, moved);

        using var old = await app.PostAlertAsync(Order("OLD-" + district, district, Nishiokoppe), NishiokoppeKey);
        Assert.Equal(0, (await ResponseAssert.JsonAsync(old, HttpStatusCode.Accepted)).GetProperty("targets").GetInt32());
    }

    [Fact]
    public async Task Events_of_a_tv_unlinked_a_moment_ago_are_unknown()
    {
        var district = "ul-" + Guid.NewGuid().ToString("N")[..10];
        var tv = district + "-tv";
        var (myKeyId, _) = await app.PairAsync(tv, "西興部　太郎", "ニシオコッペ　タロウ", Nishiokoppe, district);
        using (var before = await app.PostEventsAsync(new { events = new[] { Event(tv, "button", DateTimeOffset.UtcNow) } }))
        {
            Assert.Equal(1, (await ResponseAssert.JsonAsync(before, HttpStatusCode.Accepted)).GetProperty("accepted").GetInt32());
        }

        using (var unlinked = await app.SendAsync(HttpMethod.Delete, $"/api/tv/registrations/{tv}", bearerFor: myKeyId))
        {
            Assert.Equal(HttpStatusCode.NoContent, unlinked.StatusCode);
        }

        using var after = await app.PostEventsAsync(new { events = new[] { Event(tv, "button", DateTimeOffset.UtcNow) } });
        var body = await ResponseAssert.JsonAsync(after, HttpStatusCode.Accepted);
        Assert.Equal((0, 1), (body.GetProperty("accepted").GetInt32(), body.GetProperty("unknownTvs").GetInt32()));
    }

    private static object Claim(string municipality, string district) =>
        new { resident = new { displayName = "甲", furigana = "コウ", municipalityCode = municipality, districtCode = district }, consent = new { watching = false } };

    private static string Order(string identifier, string district, string municipality) =>
        CapSamples.EvacuationOrder(identifier, new DateTimeOffset(2026, 11, 29, 1, 0, 0, TimeSpan.Zero), districtCode: district, municipalityCode: municipality, lifetime: TimeSpan.FromDays(3650));
}
