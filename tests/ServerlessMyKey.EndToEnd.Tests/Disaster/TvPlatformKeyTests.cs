using System.Net;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Disaster;

/// <summary>
/// A TV id is its platform's own: <c>tv-aqua</c> and <c>tv-beni</c> may both have a TV of the same id, and those
/// are two TVs (two links, two deliveries, two operation logs), while neither platform reaches the other's
/// (西興部村, a district of each test's own).
/// </summary>
public sealed class TvPlatformKeyTests(DisasterApiFixture app) : IClassFixture<DisasterApiFixture>
{
    [Fact]
    public async Task Two_platforms_tvs_of_the_same_id_are_paired_and_alerted_each_through_its_own_platform()
    {
        var (district, tv) = NewTv("two");
        await app.PairAsync(tv, "青井　一郎", "アオイ　イチロウ", Nishiokoppe, district);
        await app.PairAsync(tv, "紅　花子", "ベニ　ハナコ", Nishiokoppe, district, platformKey: OtherPlatformKey);

        using var posted = await app.PostAlertAsync(Order("TWO-" + district, district), NishiokoppeKey);
        var alertId = (await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
        var messages = await app.TvMessagesAsync(alertId, 2);
        var byPlatform = app.Tvs.Received.Where(r => JsonOf(r.Body).GetProperty("alertId").GetString() == alertId)
            .ToDictionary(r => r.Path.Split('/')[^1], r => JsonOf(r.Body).GetProperty("text").GetString()!);
        Assert.Equal(2, messages.Count);
        Assert.StartsWith("青井　一郎さん", byPlatform[Platform], StringComparison.Ordinal);
        Assert.StartsWith("紅　花子さん", byPlatform[OtherPlatform], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_of_a_tv_id_linked_only_on_another_platform_are_unknown()
    {
        var (district, tv) = NewTv("evt");
        await app.PairAsync(tv, "青井　次郎", "アオイ　ジロウ", Nishiokoppe, district);

        using var posted = await app.PostEventsAsync(new { events = new[] { Event(tv, "power_on", DateTimeOffset.UtcNow) } }, OtherPlatformEventSecret, OtherPlatform);
        var body = await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted);
        Assert.Equal((0, 1), (body.GetProperty("accepted").GetInt32(), body.GetProperty("unknownTvs").GetInt32()));
    }

    [Fact]
    public async Task Unlinking_one_platforms_tv_leaves_the_other_platforms_tv_of_the_same_id_linked()
    {
        var (district, tv) = NewTv("unl");
        var (aquaOwner, _) = await app.PairAsync(tv, "青井　三郎", "アオイ　サブロウ", Nishiokoppe, district);
        await app.PairAsync(tv, "紅　三子", "ベニ　ミツコ", Nishiokoppe, district, platformKey: OtherPlatformKey);

        using (var unlinked = await app.SendAsync(HttpMethod.Delete, $"/api/tv/registrations/{Platform}/{tv}", bearerFor: aquaOwner))
        {
            Assert.Equal(HttpStatusCode.NoContent, unlinked.StatusCode);
        }

        using var aqua = await app.PostEventsAsync(new { events = new[] { Event(tv, "button", DateTimeOffset.UtcNow) } });
        Assert.Equal(1, (await ResponseAssert.JsonAsync(aqua, HttpStatusCode.Accepted)).GetProperty("unknownTvs").GetInt32());
        using var beni = await app.PostEventsAsync(new { events = new[] { Event(tv, "button", DateTimeOffset.UtcNow) } }, OtherPlatformEventSecret, OtherPlatform);
        Assert.Equal(1, (await ResponseAssert.JsonAsync(beni, HttpStatusCode.Accepted)).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task A_resident_unlinks_a_tv_of_another_platform_by_its_platform_only()
    {
        var (district, tv) = NewTv("oth");
        var (owner, _) = await app.PairAsync(tv, "紅　四郎", "ベニ　シロウ", Nishiokoppe, district, platformKey: OtherPlatformKey);

        using var wrong = await app.SendAsync(HttpMethod.Delete, $"/api/tv/registrations/{Platform}/{tv}", bearerFor: owner);
        await ProblemAssert.ExactAsync(wrong, HttpStatusCode.NotFound, "tv_not_registered");
    }

    private static (string District, string Tv) NewTv(string prefix)
    {
        var district = prefix + "-" + Guid.NewGuid().ToString("N")[..10];
        return (district, district + "-tv");
    }

    private static string Order(string identifier, string district) =>
        CapSamples.EvacuationOrder(identifier, DateTimeOffset.UtcNow, districtCode: district, municipalityCode: Nishiokoppe);
}
