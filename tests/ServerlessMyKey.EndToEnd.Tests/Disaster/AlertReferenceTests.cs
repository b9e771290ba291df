using System.Net;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Disaster;

/// <summary>
/// CAP Update and Cancel through the DevHost (西興部村, districts of each test's own): an Update reaches every
/// TV the original reached, with the new content, each TV's state visible in the Update's status; only whoever
/// could send the original may update or cancel it.
/// </summary>
public sealed class AlertReferenceTests(DisasterApiFixture app) : IClassFixture<DisasterApiFixture>
{
    [Fact]
    public async Task An_update_reaches_every_tv_the_original_reached_with_the_new_content()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var (coast, hill) = ("uc-" + run, "uh-" + run);
        var (tv1, tv2, tv3) = (coast + "-1", coast + "-2", hill + "-3");
        await app.PairAsync(tv1, "西興部　一郎", "ニシオコッペ　イチロウ", Nishiokoppe, coast);
        await app.PairAsync(tv2, "西興部　二郎", "ニシオコッペ　ジロウ", Nishiokoppe, coast);
        await app.PairAsync(tv3, "西興部　三郎", "ニシオコッペ　サブロウ", Nishiokoppe, hill);
        var sent = new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero);
        using var original = await app.PostAlertAsync(CapSamples.EvacuationOrder("ORDER-" + run, sent, level: 3, districtCode: coast, municipalityCode: Nishiokoppe, lifetime: TimeSpan.FromDays(3650)), NishiokoppeKey);
        var originalId = (await ResponseAssert.JsonAsync(original, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
        await app.TvMessagesAsync(originalId, 2);

        // The update raises the level and names the hill district: the coast's TVs get it because the original reached them.
        using var update = await app.PostAlertAsync(CapSamples.Update("UPDATE-" + run, sent.AddMinutes(30), "ORDER-" + run, sent, 5, hill, Nishiokoppe), NishiokoppeKey);
        var accepted = await ResponseAssert.JsonAsync(update, HttpStatusCode.Accepted);
        var updateId = accepted.GetProperty("alertId").GetString()!;
        Assert.Equal(3, accepted.GetProperty("targets").GetInt32());

        var messages = await app.TvMessagesAsync(updateId, 3);
        Assert.Equal([tv1, tv2, tv3], messages.Select(m => m.GetProperty("tvId").GetString()).Order());
        Assert.All(messages, m => Assert.Equal(("alert", 5, originalId), (m.GetProperty("event").GetString(), m.GetProperty("level").GetInt32(), m.GetProperty("replaces")[0].GetString())));
        Assert.Equal("西興部　一郎さん、すぐ避難してください。【警戒レベル5】緊急安全確保。避難先: 美波町役場、日和佐小学校。",
            messages.Single(m => m.GetProperty("tvId").GetString() == tv1).GetProperty("text").GetString());

        var status = await app.AlertStatusAsync(updateId, s => s.GetProperty("status").GetString() == "delivered", NishiokoppeKey);
        Assert.Equal([(tv1, "delivered", 1), (tv2, "delivered", 1), (tv3, "delivered", 1)],
            status.GetProperty("deliveries").EnumerateArray().Select(d => (d.GetProperty("tvId").GetString(), d.GetProperty("state").GetString(), d.GetProperty("attempts").GetInt32())));
        Assert.False(status.GetProperty("deliveriesTruncated").GetBoolean());
        var replaced = await app.AlertStatusAsync(originalId, _ => true, NishiokoppeKey);
        Assert.Equal(("updated", updateId), (replaced.GetProperty("status").GetString(), replaced.GetProperty("replacedBy").GetString()));
    }

    [Fact]
    public async Task Another_municipality_may_not_cancel_an_alert_that_targets_no_municipality()
    {
        // 131016 does not take part: the alert is stored, targeting no municipality, sent by 西興部村's staff.
        var identifier = "NOWHERE-" + Guid.NewGuid().ToString("N")[..10];
        var sent = new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero);
        using (var stored = await app.PostAlertAsync(CapSamples.EvacuationOrder(identifier, sent, municipalityCode: "131016", lifetime: TimeSpan.FromDays(3650)), NishiokoppeKey))
        {
            Assert.Equal("stored", (await ResponseAssert.JsonAsync(stored, HttpStatusCode.Accepted)).GetProperty("status").GetString());
        }

        using var cancel = await app.PostAlertAsync(CapSamples.Cancel(identifier + "-C", sent.AddMinutes(5), identifier, sent), MinamiKey);
        await ProblemAssert.ExactAsync(cancel, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_alert_whose_sender_has_characters_table_keys_forbid_is_refused_twice_and_found_by_its_cancel()
    {
        // "/ \ # ?" may not stand in a Table key, and CAP allows them in a sender: the identity is hashed, not concatenated.
        var sender = "防災/bousai\\#1?" + Guid.NewGuid().ToString("N")[..8] + "@町.jp";
        var identifier = "ODD-" + Guid.NewGuid().ToString("N")[..10];
        var sent = new DateTimeOffset(2026, 11, 29, 4, 0, 0, TimeSpan.Zero);
        var cap = OfSender(CapSamples.EvacuationOrder(identifier, sent, municipalityCode: "131016", lifetime: TimeSpan.FromDays(3650)), sender);
        string storedId;
        using (var stored = await app.PostAlertAsync(cap, MinamiKey))
        {
            storedId = (await ResponseAssert.JsonAsync(stored, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
        }

        using (var again = await app.PostAlertAsync(cap, MinamiKey))
        {
            await ProblemAssert.ExactAsync(again, HttpStatusCode.Conflict, "already_exists");
        }

        using var cancel = await app.PostAlertAsync(OfSender(CapSamples.Cancel(identifier + "-C", sent.AddMinutes(5), identifier, sent), sender), MinamiKey);
        var cancelId = (await ResponseAssert.JsonAsync(cancel, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
        var original = await app.AlertStatusAsync(storedId, _ => true, MinamiKey);
        Assert.Equal((sender, "cancelled", cancelId), (original.GetProperty("sender").GetString(), original.GetProperty("status").GetString(), original.GetProperty("replacedBy").GetString()));
    }

    [Fact]
    public async Task The_status_lists_to_staff_of_one_municipality_only_its_own_tvs()
    {
        // 西興部村's staff are staff of 牟岐町 too and alert both; 牟岐町's own staff see the status, not 西興部村's TVs.
        var run = Guid.NewGuid().ToString("N")[..10];
        var district = "two-" + run;
        var (nishiTv, mugiTv) = (district + "-n", district + "-m");
        await app.PairAsync(nishiTv, "西興部　四郎", "ニシオコッペ　シロウ", Nishiokoppe, district);
        await app.PairAsync(mugiTv, "牟岐　五郎", "ムギ　ゴロウ", Mugi, district);
        var cap = CapSamples.EvacuationOrder("BOTH-" + run, DateTimeOffset.UtcNow, districtCode: district, municipalityCode: Nishiokoppe)
            .Replace($"<value>{Nishiokoppe}</value>", $"<value>{Nishiokoppe}</value>\n      </geocode>\n      <geocode>\n        <valueName>JISX0402</valueName>\n        <value>{Mugi}</value>", StringComparison.Ordinal);
        using var posted = await app.PostAlertAsync(cap, NishiokoppeKey);
        var alertId = (await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;
        await app.TvMessagesAsync(alertId, 2);

        var sender = await app.AlertStatusAsync(alertId, s => s.GetProperty("status").GetString() == "delivered", NishiokoppeKey);
        Assert.Equal([mugiTv, nishiTv], sender.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("tvId").GetString()));
        var mugi = await app.AlertStatusAsync(alertId, _ => true, MugiKey);
        Assert.Equal([mugiTv], mugi.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("tvId").GetString()));
    }

    /// <summary>The CAP document with another sender (in the alert and in its references).</summary>
    private static string OfSender(string cap, string sender) =>
        cap.Replace("bousai@town.minami.tokushima.jp", sender, StringComparison.Ordinal);
}
