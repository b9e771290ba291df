using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ServerlessMyKey.Cli.Pki;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>The citizen portal in Chromium on a phone-sized page, against the real API.</summary>
[Collection(WebCollection.Name)]
public sealed partial class PortalPageTests(WebFixture web)
{
    [Fact]
    public async Task Citizen_logs_in_with_a_virtual_card_and_sees_the_MyKey_ID_and_points_as_they_are_granted()
    {
        var card = web.Pki.IssueCard(new CardHolder("佐藤　美咲", "東京都千代田区霞が関1-1-1", new DateOnly(1992, 7, 15), "female"));
        var page = await web.NewPageAsync();

        await page.GotoAsync("/portal");
        await Expect(page.Locator("#card")).ToBeVisibleAsync();
        Assert.EndsWith("/portal/login", page.Url, StringComparison.Ordinal);
        await page.Locator("#card").SelectOptionAsync(card.Id);
        Assert.Empty(await WebFixture.SeriousAccessibilityViolationsAsync(page));
        await WebFixture.ScreenshotAsync(page, "portal-login");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = LoginButton() }).ClickAsync();

        var myKeyId = (await page.GetByTestId("mykey-id").TextContentAsync())!;
        Assert.Matches(MyKeyIdPattern(), myKeyId);
        await Expect(page.GetByText("まだ履歴はありません")).ToBeVisibleAsync();

        var granted = await web.SendAsync(HttpMethod.Post, $"api/points/accounts/{myKeyId}/credits",
            new { amount = 1200, source = new { kind = "municipality", id = "kenshin-2026" }, municipalityCode = "131016" }, WebFixture.StaffKey, idempotencyKey: "web-grant-" + myKeyId);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        await page.ReloadAsync();

        await Expect(page.GetByTestId("available-131016")).ToContainTextAsync("1,200 pt");
        await Expect(page.Locator("table tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table tbody tr").First).ToContainTextAsync("行政ポイント付与");
        await Expect(page.Locator("table tbody tr").First).ToContainTextAsync("+1,200");
        Assert.Empty(await WebFixture.SeriousAccessibilityViolationsAsync(page));
        await WebFixture.ScreenshotAsync(page, "portal-home");
    }

    [Fact]
    public async Task An_expired_card_is_refused_and_the_page_says_why_with_the_API_code()
    {
        var card = web.Pki.IssueCard(
            new CardHolder("鈴木　一郎", "東京都千代田区霞が関1-1-1", new DateOnly(1970, 1, 2), "male"),
            validFrom: DateTimeOffset.UtcNow.AddHours(-12), validTo: DateTimeOffset.UtcNow.AddHours(-1));
        var page = await web.NewPageAsync();

        await page.GotoAsync("/portal/login");
        await page.Locator("#card").SelectOptionAsync(card.Id);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = LoginButton() }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("401 certificate_expired");
        Assert.EndsWith("/portal/login", page.Url, StringComparison.Ordinal);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [GeneratedRegex("^ログイン")]
    private static partial Regex LoginButton();

    [GeneratedRegex(@"^[0-9A-Z]{8}\z")]
    private static partial Regex MyKeyIdPattern();
}
