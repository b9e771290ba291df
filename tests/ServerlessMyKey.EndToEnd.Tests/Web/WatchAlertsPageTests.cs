using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ServerlessMyKey.EndToEnd.Tests.Disaster;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Disaster.DisasterApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>
/// The console's 見守りアラート page against the DevHost whose watching timer runs (shared with the watching API
/// tests: one host watches the tables), in a district of its own.
/// </summary>
[Collection(DisasterWatchingCollection.Name)]
public sealed partial class WatchAlertsPageTests(DisasterWatchingFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    /// <summary>A resident who consented to watching leaves the TV on for 20 hours; the console's 見守りアラート lists them.</summary>
    [Fact]
    public async Task A_watched_residents_TV_left_on_appears_in_the_watch_alerts()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (tvId, district) = ($"web-{run}-w", $"m{run}");
        await app.PairAsync(tvId, "西興部　見守", "ニシオコッペ　ミマモリ", Nishiokoppe, district, watching: true);

        // Switched on an hour after the pairing (events before a link tell nothing), and still on 20 hours later.
        var linked = DateTimeOffset.UtcNow;
        try
        {
            app.MoveClockTo(linked.AddHours(1));
            using (var posted = await app.PostEventsAsync(new { events = new[] { Event(tvId, "power_on", app.Now) } }))
            {
                await ResponseAssert.JsonAsync(posted, HttpStatusCode.Accepted);
            }

            app.MoveClockTo(linked.AddHours(21));
            await Eventually.WaitForAsync(async () =>
            {
                using var list = await app.SendAsync(HttpMethod.Get, $"/api/disaster/watch-alerts?municipalityCode={Nishiokoppe}", apiKey: NishiokoppeKey);
                var alerts = (await ResponseAssert.JsonAsync(list, HttpStatusCode.OK)).GetProperty("watchAlerts").EnumerateArray();
                return alerts.Any(a => a.GetProperty("tvId").GetString() == tvId) ? new object() : null;
            }, TimeSpan.FromSeconds(30)); // the watching timer runs every 2 seconds
        }
        finally
        {
            app.Clock.Offset = TimeSpan.Zero;
        }

        var page = await chromium.NewPageAsync(app.Host.BaseAddress, phone: false);
        await PageSteps.ConsoleSignInAsync(page, Nishiokoppe, NishiokoppeKey);
        await page.GetByRole(AriaRole.Link, new() { NameRegex = WatchAlertsLink() }).ClickAsync();

        var row = page.Locator("tbody tr", new() { HasText = district });
        await Assertions.Expect(row.Locator("th")).ToHaveTextAsync("西興部　見守");
        await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("長時間つけたまま");
        await ChromiumFixture.CheckAndScreenshotAsync(page, "console-watch-alerts");
    }

    [GeneratedRegex("^見守りアラート")]
    private static partial Regex WatchAlertsLink();
}
