using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>What a person does first on each front end: a resident logs in with a virtual card, staff sign in with the client key.</summary>
public static partial class PageSteps
{
    /// <summary>Logs in on the portal with the DevHost's virtual card <paramref name="cardId"/> and waits for the home page; returns the MyKey ID shown.</summary>
    public static async Task<string> PortalLogInAsync(IPage page, string cardId)
    {
        await page.GotoAsync("/portal/login");
        await page.Locator("#card").SelectOptionAsync(cardId);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = LoginButton() }).ClickAsync();
        var myKeyId = page.GetByTestId("mykey-id");
        await Assertions.Expect(myKeyId).ToHaveTextAsync(MyKeyIdPattern());
        return (await myKeyId.TextContentAsync())!;
    }

    /// <summary>Signs in on the console as the client with <paramref name="apiKey"/> for <paramref name="municipalityCode"/>; lands on the disaster page.</summary>
    public static async Task ConsoleSignInAsync(IPage page, string municipalityCode, string apiKey)
    {
        await page.GotoAsync("/console/sign-in");
        await page.Locator("#muni").FillAsync(municipalityCode);
        await page.Locator("#key").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = SignInButton() }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("防災");
        await Assertions.Expect(page).ToHaveURLAsync("/console/disaster");
    }

    [GeneratedRegex("^ログイン")]
    public static partial Regex LoginButton();

    [GeneratedRegex("^サインイン")]
    public static partial Regex SignInButton();

    [GeneratedRegex("^[0-9A-Z]{8}$")] // run in the browser: a JavaScript pattern
    public static partial Regex MyKeyIdPattern();
}
