using System.Net;
using Microsoft.Playwright;
using ServerlessMyKey.EndToEnd.Tests.Disaster;
using ServerlessMyKey.LocalStorage;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>
/// The drill seen on the console, against the real disaster API: two residents of 西興部村 (a district of
/// their own) pair their TVs, the village sends an evacuation order, the 避難状況確認 table shows both unconfirmed, one checks in at the
/// shelter and the table changes by itself; the 在宅状況確認 table shows yesterday's logs.
/// </summary>
public sealed class DisasterConsoleTests(DisasterApiFixture app) : IClassFixture<DisasterApiFixture>
{
    [Fact]
    public async Task The_evacuation_table_changes_as_a_resident_checks_in_and_presence_follows_the_logs()
    {
        await NodeModules.EnsureWebBuildAsync(WebFixture.RepositoryRootPath);
        var run = Guid.NewGuid().ToString("N")[..8];
        var (tv1, tv2, district) = ($"web-{run}-1", $"web-{run}-2", $"w{run}");
        await app.PairAsync(tv1, "西興部　一郎", "ニシオコッペ　イチロウ", Nishiokoppe, district);
        var (me2, _) = await app.PairAsync(tv2, "上興部　花子", "カミオコッペ　ハナコ", Nishiokoppe, district);
        var day = TodayJst.AddDays(-1);
        using (var posted = await app.PostEventsAsync(new { events = new[] { Event(tv1, "power_on", Jst(day, 8, 30)), Event(tv1, "power_off", Jst(day, 10, 0)) } }))
        {
            await ReadAsync(posted, HttpStatusCode.Accepted);
        }

        using var submitted = await app.PostAlertAsync(
            Testing.CapSamples.EvacuationOrder($"NISHIOKOPPE-WEB-{run}", DateTimeOffset.UtcNow.AddSeconds(-5), districtCode: district, municipalityCode: Nishiokoppe), NishiokoppeKey, idempotencyKey: "web-" + run);
        var alertId = (await ReadAsync(submitted, HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = WebFixture.ChromiumPath(), Headless = true });
        var page = await browser.NewPageAsync(new() { BaseURL = app.Host.BaseAddress.ToString(), Locale = "ja-JP", TimezoneId = "Asia/Tokyo", ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GotoAsync("/console/sign-in");
        await page.Locator("#muni").FillAsync(Nishiokoppe);
        await page.Locator("#key").FillAsync(NishiokoppeKey);
        await page.Locator("form button[type=submit]").ClickAsync();
        await page.GotoAsync($"/console/disaster?alert={alertId}");
        await page.Locator("#date").FillAsync(Iso(day));
        await page.Locator("#district").FillAsync(district);
        await page.Locator("#district").PressAsync("Tab");

        var evacuation = page.GetByTestId("evacuation-table");
        var hanako = evacuation.Locator("tr", new() { HasText = "上興部　花子" });
        await Assertions.Expect(hanako).ToContainTextAsync("未確認");
        await Assertions.Expect(evacuation.Locator("tr", new() { HasText = "西興部　一郎" })).ToContainTextAsync("未確認");

        using var checkin = await app.SendAsync(HttpMethod.Post, "/api/disaster/shelters/hiwasa-elementary/checkins", apiKey: ShelterKey, bearerFor: me2);
        Assert.Equal(HttpStatusCode.Created, checkin.StatusCode);

        // No reload: the page refreshes the table while the alert runs.
        await Assertions.Expect(hanako).ToContainTextAsync("避難済み", new() { Timeout = 20000 });
        await Assertions.Expect(hanako).ToContainTextAsync("hiwasa-elementary");
        var presence = page.GetByTestId("presence-table").Locator("tr", new() { HasText = "西興部　一郎" });
        await Assertions.Expect(presence.Locator("td").Nth(0)).ToHaveTextAsync("在宅");
        await Assertions.Expect(presence.Locator("td").Nth(1)).ToHaveTextAsync("不在・不明");
        Assert.Empty(await WebFixture.SeriousAccessibilityViolationsAsync(page));
        await WebFixture.ScreenshotAsync(page, "console-disaster");
        await evacuation.ScreenshotAsync(new() { Path = Path.Combine(WebFixture.ScreenshotFolder, "console-evacuation-status.png") });
        await page.GetByTestId("presence-table").ScreenshotAsync(new() { Path = Path.Combine(WebFixture.ScreenshotFolder, "console-presence.png") });
    }
}
