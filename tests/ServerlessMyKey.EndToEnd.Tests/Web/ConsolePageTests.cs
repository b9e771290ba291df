using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>The municipality console in Chromium on a desktop-sized page, against the real API.</summary>
[Collection(WebCollection.Name)]
public sealed partial class ConsolePageTests(WebFixture web)
{
    [Fact]
    public async Task Staff_sign_in_with_the_client_key_and_see_their_certificate_watches()
    {
        var card = web.Pki.IssueCard(new("高橋　健", "東京都千代田区霞が関3-1-1", new DateOnly(1980, 3, 3), "male"));
        var registered = await web.SendAsync(HttpMethod.Post, "api/certificates/watches",
            new { certificates = new[] { Convert.ToBase64String(card.AuthenticationCertificate.RawData) } }, WebFixture.StaffKey, idempotencyKey: "web-watch-" + card.Id);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var page = await SignInAsync();

        await page.GetByRole(AriaRole.Link, new() { NameRegex = WatchesLink() }).ClickAsync();

        var row = page.GetByTestId("watch-table").Locator("tr", new() { HasText = card.AuthenticationCertificate.SerialNumber.ToLowerInvariant() })
            .Or(page.GetByTestId("watch-table").Locator("tr", new() { HasText = card.AuthenticationCertificate.SerialNumber }));
        await Assertions.Expect(row.First).ToContainTextAsync("利用者証明用");
        await ChromiumFixture.CheckAndScreenshotAsync(page, "console-certificate-watches");
    }

    [Fact]
    public async Task The_alert_form_writes_CAP_XML_and_previews_the_residents_message()
    {
        var page = await SignInAsync();
        await page.GotoAsync("/console/alerts/new");

        await page.Locator("#al-level").SelectOptionAsync("5");
        await page.Locator("#al-districts").FillAsync("D-01, D-02");
        await page.Locator("#al-shelters").FillAsync("第一小学校, 市民体育館");

        await Assertions.Expect(page.GetByTestId("message-preview")).ToHaveTextAsync("【訓練】山田　太郎さん、すぐ避難してください。【警戒レベル5】緊急安全確保。避難先: 第一小学校、市民体育館。");
        var cap = await page.GetByTestId("cap-xml").TextContentAsync();
        Assert.Contains("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">", cap, StringComparison.Ordinal);
        Assert.Contains("<status>Exercise</status>", cap, StringComparison.Ordinal);
        Assert.Contains("<parameter><valueName>EvacuationLevel</valueName><value>5</value></parameter>", cap, StringComparison.Ordinal);
        Assert.Contains("<geocode><valueName>JISX0402</valueName><value>131016</value></geocode>", cap, StringComparison.Ordinal);
        Assert.Contains("<geocode><valueName>districtCode</valueName><value>D-02</value></geocode>", cap, StringComparison.Ordinal);
        Assert.Contains("<parameter><valueName>Shelter</valueName><value>市民体育館</value></parameter>", cap, StringComparison.Ordinal);
        await ChromiumFixture.CheckAndScreenshotAsync(page, "console-alert-form");
    }

    private async Task<IPage> SignInAsync()
    {
        var page = await web.NewPageAsync(phone: false);
        await page.GotoAsync("/console");
        await Assertions.Expect(page.Locator("#key")).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveURLAsync("/console/sign-in");
        await ChromiumFixture.CheckAndScreenshotAsync(page, "console-sign-in");
        await PageSteps.ConsoleSignInAsync(page, "131016", WebFixture.StaffKey);
        return page;
    }

    [GeneratedRegex("^証明書の失効監視")]
    private static partial Regex WatchesLink();
}
