using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Faults.StorageOutageFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Faults;

/// <summary>
/// Storage stops in the middle of a burst of points debits over HTTP and starts again. Every answer
/// is a 201 or a 503 <c>storage_unavailable</c>/<c>dependency_unavailable</c> (never a 500); the
/// merchant retries each 503 with the same Idempotency-Key, as the API tells it to; afterwards every
/// debit is in the ledger exactly once and the balance equals the sum of the entries.
/// </summary>
public sealed class PointsOutageTests(StorageOutageFixture app) : IClassFixture<StorageOutageFixture>
{
    private const int Accounts = 4;
    private const int DebitsPerAccount = 16;
    private const int Grant = 10_000;
    private const int Amount = 100;

    [Fact]
    public async Task A_burst_of_debits_survives_storage_stopping_and_starting_again()
    {
        var merchant = await app.SendAsync(HttpMethod.Post, "api/points/merchants", new { merchantId = "outage-chiyoda", name = "outage-chiyoda", municipalityCode = Chiyoda, clientId = "shop-chiyoda" }, AdminKey);
        Assert.True(merchant.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"merchant: {merchant.StatusCode}");
        var citizens = new List<string>();
        for (var i = 0; i < Accounts; i++)
        {
            var me = await app.NewCitizenAsync();
            citizens.Add(me);
            var granted = await app.SendAsync(HttpMethod.Post, $"api/points/accounts/{me}/credits", new { amount = Grant, source = new { kind = "municipality", id = "grant" }, municipalityCode = Chiyoda }, AdminKey, idempotencyKey: "grant-" + me);
            Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        }

        var debits = citizens.SelectMany(me => Enumerable.Range(0, DebitsPerAccount).Select(n => (Me: me, Key: $"debit-{me}-{n}"))).ToList();
        var answers = new ConcurrentBag<(string Key, HttpStatusCode Status, string? Code)>();
        var firstOutageAnswer = new TaskCompletionSource();
        var done = 0;
        using var slots = new SemaphoreSlim(8);

        var burst = Task.WhenAll(debits.Select(async debit =>
        {
            await slots.WaitAsync();
            try
            {
                var (status, code) = await DebitAsync(debit.Me, debit.Key);
                answers.Add((debit.Key, status, code));
                if (status == HttpStatusCode.ServiceUnavailable)
                {
                    firstOutageAnswer.TrySetResult();
                }

                if (Interlocked.Increment(ref done) == debits.Count / 4)
                {
                    app.Storage.Stop();
                }
            }
            finally
            {
                slots.Release();
            }
        }));

        // Storage stays down until the app has told a client so (or the burst ran out), then comes back.
        await Task.WhenAny(firstOutageAnswer.Task, burst);
        app.Storage.Start();
        await burst;

        Assert.All(answers, a => Assert.True(
            a.Status == HttpStatusCode.Created || (a.Status == HttpStatusCode.ServiceUnavailable && a.Code is "storage_unavailable" or "dependency_unavailable"),
            $"{a.Key}: {(int)a.Status} {a.Code}"));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.ServiceUnavailable);

        // The merchant retries what was refused, with the same key.
        foreach (var refused in answers.Where(a => a.Status != HttpStatusCode.Created).ToList())
        {
            var me = debits.Single(d => d.Key == refused.Key).Me;
            Assert.Equal(HttpStatusCode.Created, await RetryUntilAnsweredAsync(me, refused.Key));
        }

        foreach (var me in citizens)
        {
            var (balance, entries) = await LedgerAsync(me);
            Assert.Equal(1 + DebitsPerAccount, entries.Count);
            Assert.Equal(DebitsPerAccount, entries.Count(e => e.GetProperty("kind").GetString() == "debit"));
            Assert.Equal(entries.Sum(e => e.GetProperty("municipalityDelta").GetInt64()), balance);
            Assert.Equal(Grant - (DebitsPerAccount * Amount), balance);
        }

        // A late replay of any debit is the first answer, never a second entry.
        var (_, replayed) = await DebitAsync(citizens[0], debits[0].Key);
        Assert.Null(replayed);
        Assert.Equal(1 + DebitsPerAccount, (await LedgerAsync(citizens[0])).Entries.Count);
    }

    private async Task<(HttpStatusCode Status, string? Code)> DebitAsync(string me, string key)
    {
        using var response = await app.SendAsync(HttpMethod.Post, $"api/points/accounts/{me}/debits", new { amount = Amount, merchantId = "outage-chiyoda" }, ShopKey, me, key);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return (response.StatusCode, null);
        }

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, problem.TryGetProperty("code", out var code) ? code.GetString() : null);
    }

    private async Task<HttpStatusCode> RetryUntilAnsweredAsync(string me, string key)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (status, code) = await DebitAsync(me, key);
            if (status != HttpStatusCode.ServiceUnavailable || attempt == 30)
            {
                Assert.True(status == HttpStatusCode.Created, $"retry of {key}: {(int)status} {code}");
                return status;
            }

            await Task.Delay(TimeSpan.FromSeconds(1)); // Retry-After: back off before asking again
        }
    }

    private async Task<(long Balance, List<JsonElement> Entries)> LedgerAsync(string me)
    {
        var entries = new List<JsonElement>();
        long balance = 0;
        string? token = null;
        do
        {
            var path = $"api/points/accounts/{me}?limit=200" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await (await app.SendAsync(HttpMethod.Get, path, bearerFor: me)).Content.ReadFromJsonAsync<JsonElement>();
            balance = page.GetProperty("balance").GetProperty("municipalities").EnumerateArray()
                .Where(m => m.GetProperty("municipalityCode").GetString() == Chiyoda).Sum(m => m.GetProperty("available").GetInt64());
            entries.AddRange(page.GetProperty("entries").EnumerateArray());
            token = page.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        return (balance, entries);
    }
}
