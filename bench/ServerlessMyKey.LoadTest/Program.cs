using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.DevHost;
using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.LocalStorage;
using Microsoft.Extensions.Logging;

// HTTP load through the real path: the DevHost (Kestrel, the app's functions) on loopback, a private
// in-memory Azurite, N virtual cards logging in (challenge + session) at concurrency 1, 16 and 64.
// Beside it, in the same run, the raw rate of single-entity Table inserts with 16 callers: a login
// needs about four storage operations, so raw/4 is the storage-bound ceiling of logins/s.
// Usage: dotnet run -c Release --project bench/ServerlessMyKey.LoadTest -- [seconds per step, default 20] [cards, default 64]
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var cardCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
const int StorageOperationsPerLogin = 4;

var root = RepositoryRoot.Find();
var (blob, queue, table) = AzuriteProcess.FindFreePorts();
await using var azurite = await AzuriteProcess.StartAsync(new AzuriteOptions { RepositoryRoot = root, BlobPort = blob, QueuePort = queue, TablePort = table }, Console.WriteLine);
var dataPath = Directory.CreateTempSubdirectory("load-").FullName;
var settings = new Dictionary<string, string?>
{
    ["AzureWebJobsStorage"] = azurite.ConnectionString,
    ["urls"] = "http://127.0.0.1:0",
    ["DevHost:DataPath"] = dataPath,
    ["RateLimits:Enabled"] = "false", // one client address drives all the load
};
await using var host = await DevHostApp.StartAsync(ServerlessMyKeyDevHost.Options(settings) with
{
    ConfigureLogging = logging => logging.ClearProviders(),
});
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = host.BaseAddress };
var api = new MyKeyApiClient(http);
var pki = DevelopmentPki.LoadOrCreate(Path.Combine(dataPath, "pki"));
Console.WriteLine($"Issuing {cardCount} virtual cards…");
var cards = Enumerable.Range(0, cardCount).AsParallel().Select(i => pki.IssueCard(new CardHolder("負荷　試験", "東京都千代田区霞が関2-1-2", new DateOnly(1980, 1, 1).AddDays(i), "female"))).ToArray();
foreach (var card in cards)
{
    await api.LoginAsync(card); // first login: MyKey ID created, certificate seen once
}

Console.WriteLine($"Raw single-entity inserts, 16 callers, {seconds} s…");
var tableClient = new TableServiceClient(azurite.ConnectionString).GetTableClient("LoadRawInserts");
await tableClient.CreateIfNotExistsAsync();
var raw = await RunAsync(16, TimeSpan.FromSeconds(seconds), async (worker, i) =>
    await tableClient.AddEntityAsync(new TableEntity("p" + (i % 997).ToString(CultureInfo.InvariantCulture), Guid.NewGuid().ToString("N")) { ["Data"] = new string('x', 400) }));
var ceiling = raw.PerSecond / StorageOperationsPerLogin;

Console.WriteLine();
Console.WriteLine($"| operation | concurrency | requests/s | p50 | p95 | p99 | errors | vs storage-bound ceiling ({ceiling:F0} logins/s) |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
Console.WriteLine(Row("raw Table insert", 16, raw, null));
foreach (var concurrency in new[] { 1, 16, 64 })
{
    var logins = await RunAsync(concurrency, TimeSpan.FromSeconds(seconds), async (worker, i) => await api.LoginAsync(cards[(worker + (i * concurrency)) % cards.Length]));
    Console.WriteLine(Row("login (challenge + session)", concurrency, logins, ceiling));
}

Directory.Delete(dataPath, recursive: true);
return 0;

static string Row(string operation, int concurrency, Result r, double? ceiling) =>
    string.Create(CultureInfo.InvariantCulture, $"| {operation} | {concurrency} | {r.PerSecond:F0} | {r.P(0.50):F1} ms | {r.P(0.95):F1} ms | {r.P(0.99):F1} ms | {r.Errors} | {(ceiling is { } c ? $"{100 * r.PerSecond / c:F0} %" : "")} |");

static async Task<Result> RunAsync(int concurrency, TimeSpan duration, Func<int, int, Task> operation)
{
    var latencies = new List<double>[concurrency];
    var errors = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
    {
        var mine = latencies[worker] = [];
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await operation(worker, i);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or Azure.RequestFailedException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    })));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return new Result(all, all.Length / clock.Elapsed.TotalSeconds, errors);
}

internal sealed record Result(double[] SortedMilliseconds, double PerSecond, int Errors)
{
    public double P(double quantile) => SortedMilliseconds.Length == 0 ? double.NaN : SortedMilliseconds[Math.Min(SortedMilliseconds.Length - 1, (int)(quantile * SortedMilliseconds.Length))];
}
