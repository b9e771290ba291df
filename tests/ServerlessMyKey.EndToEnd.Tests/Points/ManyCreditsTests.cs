using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Points;
using ServerlessMyKey.Core.Security;
using Xunit;
using Xunit.Abstractions;
using static ServerlessMyKey.EndToEnd.Tests.Points.PointsApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Points;

/// <summary>
/// Issue #17 item 7: a partner's many small conversions must not freeze an account. Each of the
/// 10,000 credits is its own conversion decided by the account (its own entry); the bulk is written
/// through the ledger store 98 conversions to a transaction over 20 days of conversion times (one
/// credit per HTTP call takes minutes on Azurite), the last ones through the service and over HTTP.
/// </summary>
public sealed class ManyCreditsTests(PointsApiFixture app, ITestOutputHelper output) : IClassFixture<PointsApiFixture>
{
    private const int Credits = 10_000;
    private const int ThroughHttp = 3;
    private const int ThroughService = 2;
    private const int PerTransaction = 98; // + the summary row: within the 100 operations of a table transaction

    [Fact]
    public async Task Ten_thousand_one_point_partner_credits_keep_the_account_writable_and_the_balance_the_sum_of_its_entries()
    {
        var me = await app.NewCitizenAsync();
        var path = $"api/points/accounts/{me}";
        var ledger = app.Host.Services.GetRequiredService<IPointsLedgerStore>();
        var holdingPeriod = app.Host.Services.GetRequiredService<PointsRules>().HoldingPeriod;
        var source = new PointsSource(PointsSource.Partner, "airline-a");

        // Conversions from 20 days ago until now: their deadlines span the past (overdue, no default
        // municipality: they wait) and the next two weeks.
        var bulk = Credits - ThroughHttp - ThroughService;
        var start = DateTimeOffset.UtcNow.AddDays(-20);
        var step = TimeSpan.FromDays(20) / bulk;
        var watch = Stopwatch.StartNew();
        for (var done = 0; done < bulk;)
        {
            var snapshot = await ledger.ReadAsync(me);
            var count = Math.Min(PerTransaction, bulk - done);
            var change = new PointsChange(snapshot.Account, snapshot.Account, []);
            for (var i = done; i < done + count; i++)
            {
                var at = start + (step * i);
                change = change.Then(account => account.ConvertPartnerPoints(1, source, at, holdingPeriod));
            }

            Assert.True(await ledger.TryCommitAsync(snapshot, change));
            done += count;
        }

        output.WriteLine($"{bulk} conversions written in {watch.Elapsed}");

        var points = app.Host.Services.GetRequiredService<PointsLedgerService>();
        var partner = new ServiceClient("e2e-partner", new HashSet<string> { PointsRoles.Credit });
        for (var i = 0; i < ThroughService; i++)
        {
            Assert.Equal(201, (await points.CreditAsync(me, new CreditRequest(1, source), "service-" + i, partner)).Status);
        }

        for (var i = 0; i < ThroughHttp; i++)
        {
            var response = await app.SendAsync(HttpMethod.Post, path + "/credits", new { amount = 1, source = new { kind = "partner", id = "airline-a" } }, PartnerKey, idempotencyKey: "http-" + i);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var assigned = await app.SendAsync(HttpMethod.Post, path + "/assignments", new { municipalityCode = "131016", amount = 10 }, bearerFor: me, idempotencyKey: "assign-after-bulk");
        Assert.Equal(HttpStatusCode.Created, assigned.StatusCode);

        var first = await (await app.SendAsync(HttpMethod.Get, path + "?limit=200", bearerFor: me)).Content.ReadFromJsonAsync<JsonElement>();
        var balance = first.GetProperty("balance");
        Assert.Equal(Credits - 10, balance.GetProperty("holding").GetInt64());
        Assert.Equal(10, balance.GetProperty("municipalities")[0].GetProperty("available").GetInt64());
        Assert.InRange(balance.GetProperty("holdingLots").GetArrayLength(), 2, 17); // one overdue lot, one per deadline day to come

        long holding = 0, municipal = 0, entries = 0;
        var page = first;
        while (true)
        {
            foreach (var entry in page.GetProperty("entries").EnumerateArray())
            {
                holding += entry.GetProperty("holdingDelta").GetInt64();
                municipal += entry.GetProperty("municipalityDelta").GetInt64();
                entries++;
            }

            if (!page.TryGetProperty("continuationToken", out var token))
            {
                break;
            }

            page = await (await app.SendAsync(HttpMethod.Get, $"{path}?limit=200&continuationToken={token.GetString()}", bearerFor: me)).Content.ReadFromJsonAsync<JsonElement>();
        }

        Assert.Equal((Credits + 1L, Credits - 10L, 10L), (entries, holding, municipal));
    }
}
