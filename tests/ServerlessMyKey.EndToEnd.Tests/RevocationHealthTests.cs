using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>
/// <c>GET /api/health</c> reports revocation freshness in its body while staying 200 (a liveness
/// probe): the development PKI's CRLs read <c>ok</c>, then <c>stale_soon</c> within
/// <c>Jpki:Revocation:StaleWarningHours</c> of their nextUpdate, then <c>stale</c> past it; a source
/// that cannot be read is <c>unavailable</c>. The app's clock is shifted, not the CRLs.
/// </summary>
public sealed class RevocationHealthTests
{
    [Fact]
    public async Task Crl_freshness_goes_ok_stale_soon_stale_as_next_update_nears_and_passes()
    {
        var clock = new ShiftedClock();
        var dataPath = DevHostFixture.NewDataPath("fresh");
        await using var host = await DevHostFixture.StartAsync(
            await AzuriteServer.GetConnectionStringAsync(),
            dataPath,
            new Dictionary<string, string?> { ["Jpki:Revocation:StaleWarningHours"] = "12", ["Jpki:ClockSkewSeconds"] = "300" },
            services => services.AddSingleton<TimeProvider>(clock),
            enableTimers: false); // the clock moves a week ahead (DevHostFixture.TimersEnabled)
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var ok = await RevocationAsync(http);
        Assert.Equal("ok", ok.GetProperty("status").GetString());
        Assert.Equal("crl", ok.GetProperty("mode").GetString());
        var sources = ok.GetProperty("sources").EnumerateArray().ToList();
        Assert.Equal(2, sources.Count);
        Assert.All(sources, s =>
        {
            Assert.Equal("ok", s.GetProperty("status").GetString());
            Assert.Matches("^[0-9a-f]{40}$", s.GetProperty("issuerKeyId").GetString());
            Assert.False(s.TryGetProperty("detail", out _));
            Assert.False(s.TryGetProperty("sourceName", out _));
        });
        Assert.Equal(["authentication", "signing"], sources.Select(s => s.GetProperty("kind").GetString()).Order());
        var nextUpdate = sources.Min(s => s.GetProperty("nextUpdate").GetDateTimeOffset());

        clock.Offset = nextUpdate - DateTimeOffset.UtcNow - TimeSpan.FromHours(6);
        var soon = await RevocationAsync(http);
        Assert.Equal("stale_soon", soon.GetProperty("status").GetString());

        clock.Offset = nextUpdate - DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10);
        var stale = await RevocationAsync(http);
        Assert.Equal("stale", stale.GetProperty("status").GetString());
        Assert.Contains(stale.GetProperty("sources").EnumerateArray(), s => s.GetProperty("status").GetString() == "stale");
    }

    [Fact]
    public async Task A_crl_source_that_cannot_be_read_is_unavailable_and_health_stays_200()
    {
        var dataPath = DevHostFixture.NewDataPath("nocrl");
        var missing = Path.Combine(dataPath, "missing.crl");
        await using var host = await DevHostFixture.StartAsync(
            await AzuriteServer.GetConnectionStringAsync(),
            dataPath,
            new Dictionary<string, string?> { ["Jpki:Revocation:CrlFiles:0"] = missing, ["Jpki:Revocation:CrlFiles:1"] = missing });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var revocation = await RevocationAsync(http);

        Assert.Equal("unavailable", revocation.GetProperty("status").GetString());
        Assert.All(revocation.GetProperty("sources").EnumerateArray(), s =>
        {
            Assert.Equal("unavailable", s.GetProperty("status").GetString());
            Assert.DoesNotContain(missing, s.GetRawText(), StringComparison.Ordinal);
        });
    }

    private static async Task<JsonElement> RevocationAsync(HttpClient http)
    {
        var response = await http.GetAsync(new Uri("api/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", body.GetProperty("status").GetString());
        return body.GetProperty("revocation");
    }

    /// <summary>The system clock moved by <see cref="Offset"/>; timers keep real time.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }
}
