using System.Text.Json;
using Microsoft.Playwright;
using ServerlessMyKey.LocalStorage;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>
/// One Debian Chromium driven by Playwright for a test class or collection (browser downloads are not
/// reachable here: <c>apt-get install chromium</c>, or set <c>CHROMIUM_PATH</c>), and the built front
/// ends (<c>web/dist</c> is built first when it is missing, so a plain <c>dotnet test</c> works). Pages
/// open against any DevHost; screenshots go to <c>TestResults/web/</c> at the repository root.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> PageErrors = new();

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string RepositoryRootPath { get; } = RepositoryRoot.Find();

    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryRootPath, "TestResults", "web");

    /// <summary>
    /// How long an <c>Expect(...)</c> waits for the page to reach the expected state: Playwright's 30 s action
    /// timeout instead of its 5 s assertion default, which a page fed by queued work (an alert's fan-out, a
    /// refresh after a check-in) can overrun on a loaded 2-core CI. A passing expectation returns as soon as
    /// the state is there; only a failing one waits this long.
    /// </summary>
    public const float ExpectTimeout = 30_000;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(ExpectTimeout);
        await NodeModules.EnsureWebBuildAsync(RepositoryRootPath);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath(), Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A page of <paramref name="host"/> in a fresh context: a phone (390×844) by default, Japanese locale, Tokyo time.</summary>
    public async Task<IPage> NewPageAsync(Uri host, bool phone = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.ToString(),
            Locale = "ja-JP",
            TimezoneId = "Asia/Tokyo",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            DeviceScaleFactor = phone ? 2 : 1,
            IsMobile = phone,
            HasTouch = phone,
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        var errors = PageErrors.GetOrAdd(page, _ => []);
        page.PageError += (_, error) => { lock (errors) { errors.Add(error); } };
        return page;
    }

    /// <summary>
    /// The checks every page a test opens gets: no serious or critical axe-core violation, no script
    /// error; then a full-page screenshot as a test artifact.
    /// </summary>
    public static async Task CheckAndScreenshotAsync(IPage page, string name)
    {
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));
        await ScreenshotAsync(page, name);
    }

    /// <summary>Saves a full-page screenshot as a test artifact, after checking that no script error happened on the page.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (PageErrors.TryGetValue(page, out var errors))
        {
            lock (errors)
            {
                Assert.True(errors.Count == 0, "Script errors on the page: " + string.Join(" | ", errors));
            }
        }

        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    /// <summary>
    /// Runs axe-core (the npm package, injected into the page) against WCAG 2.1 A/AA and returns
    /// the serious and critical violations, one line each.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SeriousAccessibilityViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = Path.Combine(RepositoryRootPath, "node_modules", "axe-core", "axe.min.js") });
        var json = await page.EvaluateAsync<string>("""
            async () => {
              const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
              return JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' ')) })));
            }
            """);
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray()
            .Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => $"{v.GetProperty("impact").GetString()} {v.GetProperty("id").GetString()}: {v.GetProperty("help").GetString()} at {string.Join(", ", v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()))}")];
    }

    /// <summary>Clicks what starts a download and returns the downloaded file's bytes.</summary>
    public static async Task<byte[]> DownloadAsync(IPage page, ILocator trigger)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => trigger.ClickAsync());
        var path = await download.PathAsync();
        return await File.ReadAllBytesAsync(path);
    }

    public static string ChromiumPath()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser" };
        return candidates.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
            ?? throw new InvalidOperationException("No Chromium found: run 'apt-get install -y chromium fonts-noto-cjk' (.ci/run does) or set CHROMIUM_PATH.");
    }
}
