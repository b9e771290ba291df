using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ServerlessMyKey.Cli.Pki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>
/// 子育てワンストップ in the browser: a parent's child-allowance claim (submitted through the API, signed by
/// the card) handled in the console's inbox, the decision's notice read in the parent's portal mailbox,
/// and the parent's "my applications" page with the timeline.
/// </summary>
[Collection(WebCollection.Name)]
public sealed partial class ChildcarePageTests(WebFixture web)
{
    [Fact]
    public async Task Staff_open_an_application_put_it_in_review_and_decide_and_the_notice_arrives_in_the_parents_mailbox()
    {
        var (parentId, parent, applicationId, receiptNumber) = await SubmitClaimAsync();
        var console = await web.NewPageAsync(phone: false);
        await PageSteps.ConsoleSignInAsync(console, "131016", ChiyodaKey);

        await console.GetByRole(AriaRole.Link, new() { NameRegex = InboxLink() }).ClickAsync();
        await console.Locator("#f-status").SelectOptionAsync("received");
        var row = console.Locator("tbody tr", new() { HasText = receiptNumber });
        await Expect(row).ToContainTextAsync("児童手当 認定請求");
        await Expect(row).ToContainTextAsync("受付");
        await ChromiumFixture.CheckAndScreenshotAsync(console, "console-childcare-inbox");

        await row.GetByRole(AriaRole.Link, new() { Name = receiptNumber }).ClickAsync();
        await Expect(console.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(receiptNumber);
        var details = console.Locator("dl.pairs");
        await Expect(details).ToContainTextAsync(Parent.Name);
        await console.GetByRole(AriaRole.Button, new() { NameRegex = InReviewButton() }).ClickAsync();
        await Expect(details).ToContainTextAsync("審査中");
        Assert.Equal("in_review", (await ResponseAssert.JsonAsync(await web.SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", apiKey: ChiyodaKey), HttpStatusCode.OK)).GetProperty("status").GetString());

        var subject = "児童手当の認定について " + receiptNumber;
        await console.Locator("#dec-approved").CheckAsync();
        await console.Locator("#n-subject").FillAsync(subject);
        await console.Locator("#n-body").FillAsync("児童手当の認定請求を認定しました。\n来月分から支給します。");
        await ChromiumFixture.CheckAndScreenshotAsync(console, "console-childcare-application");
        await console.GetByRole(AriaRole.Button, new() { NameRegex = DecideButton() }).ClickAsync();
        await Expect(details).ToContainTextAsync("承認");
        await Expect(console.Locator("ol.timeline li")).ToHaveCountAsync(3);

        await web.WaitForMessageAsync(parentId, subject); // delivered through a queue
        var portal = await web.NewPageAsync();
        await PageSteps.PortalLogInAsync(portal, parent.Id);
        await portal.GotoAsync("/portal/mailbox");
        var notice = portal.GetByRole(AriaRole.Link, new() { Name = subject });
        await notice.ClickAsync();
        await Expect(portal.Locator("article .body")).ToHaveTextAsync("児童手当の認定請求を認定しました。来月分から支給します。");
        await ChromiumFixture.CheckAndScreenshotAsync(portal, "portal-childcare-notice");
    }

    [Fact]
    public async Task The_parent_sees_their_applications_and_the_timeline_of_one()
    {
        var (_, parent, applicationId, receiptNumber) = await SubmitClaimAsync();
        await ResponseAssert.JsonAsync(await web.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/status", new { status = "in_review" }, apiKey: ChiyodaKey), HttpStatusCode.OK);
        var page = await web.NewPageAsync();
        await PageSteps.PortalLogInAsync(page, parent.Id);

        await page.GetByRole(AriaRole.Link, new() { NameRegex = ApplicationsLink() }).First.ClickAsync();
        var item = page.GetByTestId("application-" + applicationId);
        await Expect(item).ToContainTextAsync("児童手当 認定請求");
        await Expect(item).ToContainTextAsync(receiptNumber);
        await Expect(item.GetByTestId("application-status")).ToHaveTextAsync("審査中");
        await item.Locator("summary").ClickAsync();
        var timeline = item.GetByTestId("timeline").Locator("li");
        await Expect(timeline).ToHaveCountAsync(2);
        await Expect(timeline.Nth(0)).ToContainTextAsync("受付");
        await Expect(timeline.Nth(1)).ToContainTextAsync("審査中");
        await ChromiumFixture.CheckAndScreenshotAsync(page, "portal-applications");
    }

    /// <summary>A new parent's child-allowance claim for Chiyoda, received at once (no employer to ask).</summary>
    private async Task<(string ParentId, VirtualCard Parent, string ApplicationId, string ReceiptNumber)> SubmitClaimAsync()
    {
        var (parentId, parent) = await web.NewCardholderAsync(Parent);
        var birth = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime).AddDays(-3);
        var accepted = await ResponseAssert.JsonAsync(await web.SubmitAsync(parentId, parent, Allowance(birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))), HttpStatusCode.Accepted);
        Assert.Equal("received", accepted.GetProperty("status").GetString());
        return (parentId, parent, accepted.GetProperty("applicationId").GetString()!, accepted.GetProperty("receiptNumber").GetString()!);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [GeneratedRegex("^子育て申請")]
    private static partial Regex InboxLink();

    [GeneratedRegex("^申請")]
    private static partial Regex ApplicationsLink();

    [GeneratedRegex("^審査中にする")]
    private static partial Regex InReviewButton();

    [GeneratedRegex("^決定を通知する")]
    private static partial Regex DecideButton();
}
