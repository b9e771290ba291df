using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.DevHost;
using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.LocalStorage;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Benchmarks;

/// <summary>
/// The fan-out of one alert to 10,000 TVs on the DevHost (issue #12 item 8), a one-off time rather than a
/// BenchmarkDotNet statistic: <c>dotnet run -c Release --project bench/ServerlessMyKey.Benchmarks -- disaster-fanout [tvs] [runs]</c>.
/// A private Azurite, the real app in a DevHost (its queue trigger polling <c>Disaster:DeliveryQueue</c> as
/// host.json says), 10,000 residents and TVs seeded straight into the registry, and a loopback TV platform.
/// Each run posts one CAP evacuation order over HTTP as municipality staff and times until the platform has
/// received every TV's signed personal message, then until <c>GET /api/disaster/alerts/{id}</c> says
/// <c>delivered</c>; afterwards every signature is checked and every TV counted once.
/// </summary>
internal static class DisasterFanOutRun
{
    private const string StaffKey = "bench-staff-key-000000000000000000";
    private const string HookSecret = "bench-tv-webhook-secret-0123456789abcdef";

    public static async Task<int> RunAsync(int tvs, int runs)
    {
        var clock = Stopwatch.StartNew();
        await using var azurite = await AzuriteProcess.StartOnFreePortsAsync(new AzuriteOptions { RepositoryRoot = RepositoryRoot.Find() });
        await using var platform = LoopbackWebhookReceiver.Start();
        var data = Path.Combine(Path.GetTempPath(), "smk-bench-fanout-" + Guid.NewGuid().ToString("N")[..8]);
        var options = ServerlessMyKeyDevHost.Options(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["urls"] = "http://127.0.0.1:0",
            ["DevHost:DataPath"] = data,
            ["Keys:LocalPath"] = Path.Combine(data, "keys"),
            ["RateLimits:Enabled"] = "false",
            ["Clients:bench-staff:ApiKey"] = StaffKey,
            ["Clients:bench-staff:Roles"] = "disaster.admin",
            [$"Disaster:Municipalities:{DisasterSeed.Municipality}:Clients"] = "bench-staff",
            [$"Clients:{DisasterSeed.Platform}:ApiKey"] = "bench-tv-platform-key-0000000000000",
            [$"Clients:{DisasterSeed.Platform}:Roles"] = "tv.platform",
            [$"Clients:{DisasterSeed.Platform}:WebhookUrl"] = new Uri(platform.BaseAddress, "hooks/" + DisasterSeed.Platform).ToString(),
            [$"Clients:{DisasterSeed.Platform}:WebhookSecret"] = HookSecret,
        });
        await using var host = await DevHostApp.StartAsync(options with
        {
            ConfigureLogging = logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning),
        });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        Console.WriteLine($"// DevHost and Azurite up at {clock.Elapsed.TotalSeconds:F1} s; batch size {host.Services.GetRequiredService<DisasterOptions>().DeliveryBatchSize}");

        await DisasterSeed.WriteAsync(new TableServiceClient(azurite.ConnectionString).GetTableClient("DisasterRegistry"), host.Services.GetRequiredService<ResidentNames>(), tvs);
        Console.WriteLine($"// {tvs} residents and TVs seeded at {clock.Elapsed.TotalSeconds:F1} s");

        var failures = 0;
        for (var run = 1; run <= runs; run++)
        {
            var before = platform.Received.Count;
            var cap = CapSamples.EvacuationOrder("BENCH-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow);
            var timer = Stopwatch.StartNew();
            using var content = new StringContent(cap, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/cap+xml");
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/disaster/alerts") { Content = content };
            request.Headers.Add("x-api-key", StaffKey);
            using var accepted = await http.SendAsync(request);
            accepted.EnsureSuccessStatusCode();
            var alertId = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("alertId").GetString()!;
            var progress = Stopwatch.StartNew();
            while (platform.Received.Count < before + tvs && timer.Elapsed < TimeSpan.FromMinutes(15))
            {
                await Task.Delay(10);
                if (progress.Elapsed > TimeSpan.FromSeconds(10))
                {
                    Console.WriteLine($"// run {run}: {platform.Received.Count - before} of {tvs} received at {timer.Elapsed.TotalSeconds:F1} s");
                    progress.Restart();
                }
            }

            var received = timer.Elapsed;
            string status;
            do
            {
                using var get = new HttpRequestMessage(HttpMethod.Get, "api/disaster/alerts/" + alertId);
                get.Headers.Add("x-api-key", StaffKey);
                using var answer = await http.SendAsync(get);
                status = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!;
            }
            while (status == "delivering" && timer.Elapsed < TimeSpan.FromMinutes(20) && await Delay());

            var final = timer.Elapsed;
            var (signed, distinct) = Check([.. platform.Received.Skip(before)], alertId);
            var ok = signed == tvs && distinct == tvs && status == "delivered";
            failures += ok ? 0 : 1;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"// run {run}: {tvs} TVs, all received in {received.TotalSeconds:F2} s ({tvs / received.TotalSeconds:F0} TVs/s), status {status} at {final.TotalSeconds:F2} s; {signed} valid signatures, {distinct} distinct TVs{(ok ? string.Empty : "  <-- INCOMPLETE")}"));
        }

        return failures == 0 ? 0 : 1;
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }

    /// <summary>Messages of the alert whose signature is valid, and the distinct TVs they name.</summary>
    private static (int Signed, int Distinct) Check(IReadOnlyList<ReceivedWebhook> received, string alertId)
    {
        var secret = Encoding.UTF8.GetBytes(HookSecret);
        var signed = 0;
        var tvs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in received)
        {
            var parts = message.Signature.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            var body = JsonDocument.Parse(message.Body).RootElement;
            if (parts.TryGetValue("t", out var t) && parts.TryGetValue("v1", out var v1) && body.GetProperty("alertId").GetString() == alertId
                && CryptographicOperations.FixedTimeEquals(WebhookSignature.Compute(secret, long.Parse(t, CultureInfo.InvariantCulture), message.Body), Convert.FromHexString(v1)))
            {
                signed++;
                tvs.Add(body.GetProperty("tvId").GetString()!);
            }
        }

        return (signed, tvs.Count);
    }
}
