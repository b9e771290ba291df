using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.EndToEnd.Tests.Childcare;
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
        await Assertions.Expect(page).ToHaveURLAsync("/portal/login");
        await page.Locator("#card").SelectOptionAsync(card.Id);
        await ChromiumFixture.CheckAndScreenshotAsync(page, "portal-login");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = LoginButton() }).ClickAsync();

        await Expect(page.GetByTestId("mykey-id")).ToHaveTextAsync(PageSteps.MyKeyIdPattern());
        var myKeyId = (await page.GetByTestId("mykey-id").TextContentAsync())!;
        await Expect(page.GetByText("まだ履歴はありません")).ToBeVisibleAsync();

        var granted = await web.SendAsync(HttpMethod.Post, $"api/points/accounts/{myKeyId}/credits",
            new { amount = 1200, source = new { kind = "municipality", id = "kenshin-2026" }, municipalityCode = "131016" }, WebFixture.StaffKey, idempotencyKey: "web-grant-" + myKeyId);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        await page.ReloadAsync();

        await Expect(page.GetByTestId("available-131016")).ToContainTextAsync("1,200 pt");
        await Expect(page.Locator("table tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table tbody tr").First).ToContainTextAsync("行政ポイント付与");
        await Expect(page.Locator("table tbody tr").First).ToContainTextAsync("+1,200");
        await ChromiumFixture.CheckAndScreenshotAsync(page, "portal-home");
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
        await Assertions.Expect(page).ToHaveURLAsync("/portal/login");
    }

    [Fact]
    public async Task Citizen_allows_a_sender_reads_its_message_and_attachment_the_sender_sees_viewed_then_the_citizen_blocks_it()
    {
        var card = web.Pki.IssueCard(new CardHolder("田中　陽子", "東京都千代田区九段南1-2-1", new DateOnly(1988, 2, 29), "female"));
        var page = await web.NewPageAsync();
        var myKeyId = await PageSteps.PortalLogInAsync(page, card.Id);
        await page.GetByRole(AriaRole.Link, new() { NameRegex = MailboxLink() }).First.ClickAsync();
        await Expect(page.GetByText("メッセージはありません")).ToBeVisibleAsync();

        await page.Locator("#sender").FillAsync("clinic");
        await page.Locator("#sender").PressAsync("Enter");
        var clinic = page.Locator("section[aria-labelledby=senders-h] li", new() { HasText = "clinic" });
        await Expect(clinic).ToContainTextAsync("clinic（許可）");
        var subject = "予防接種のお知らせ " + myKeyId;
        var delivered = await ResponseAssert.JsonAsync(await DeliverAsync(myKeyId, subject), HttpStatusCode.Accepted);
        var messageId = delivered.GetProperty("messageId").GetString()!;
        Assert.Equal("delivered", await DeliveryStatusAsync(messageId));
        await page.ReloadAsync();
        await Expect(page.Locator(".messages li", new() { HasText = subject })).ToContainTextAsync("未読");
        await ChromiumFixture.CheckAndScreenshotAsync(page, "portal-mailbox");

        await page.GetByRole(AriaRole.Link, new() { Name = subject }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(subject);
        await Expect(page.Locator("article .body")).ToHaveTextAsync("12月の予防接種は10日です。持ち物は母子手帳です。");
        var attachment = await ChromiumFixture.DownloadAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "notice.pdf" }));
        Assert.Equal("%PDF-1.7 notice", System.Text.Encoding.ASCII.GetString(attachment));
        Assert.Equal("viewed", await DeliveryStatusAsync(messageId));
        await ChromiumFixture.CheckAndScreenshotAsync(page, "portal-mailbox-message");

        await page.GetByRole(AriaRole.Link, new() { NameRegex = BackToMailbox() }).ClickAsync();
        await Expect(page.Locator(".messages li", new() { HasText = subject })).ToContainTextAsync("既読");
        await clinic.GetByRole(AriaRole.Button, new() { NameRegex = BlockButton() }).ClickAsync();
        await Expect(clinic).ToContainTextAsync("clinic（拒否）");
        await ProblemAssert.ExactAsync(await DeliverAsync(myKeyId, "二通目"), HttpStatusCode.UnprocessableEntity, "recipient_not_accepting");
    }

    private Task<HttpResponseMessage> DeliverAsync(string myKeyId, string subject) =>
        web.SendAsync(HttpMethod.Post, "api/mailbox/deliveries", new
        {
            recipient = new { myKeyId },
            subject,
            body = "12月の予防接種は10日です。\n持ち物は母子手帳です。",
            attachments = new[] { new { name = "notice.pdf", contentType = "application/pdf", content = Convert.ToBase64String("%PDF-1.7 notice"u8.ToArray()) } },
        }, apiKey: ChildcareApiFixture.ClinicKey, idempotencyKey: "web-mail-" + Guid.NewGuid().ToString("N"));

    /// <summary>What the sender sees of its delivery.</summary>
    private async Task<string?> DeliveryStatusAsync(string messageId) =>
        (await ResponseAssert.JsonAsync(await web.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ChildcareApiFixture.ClinicKey), HttpStatusCode.OK))
            .GetProperty("status").GetString();

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [GeneratedRegex("^私書箱")]
    private static partial Regex MailboxLink();

    [GeneratedRegex("^← 私書箱に戻る")]
    private static partial Regex BackToMailbox();

    [GeneratedRegex("^拒否する")]
    private static partial Regex BlockButton();

    [GeneratedRegex("^ログイン")]
    private static partial Regex LoginButton();
}
