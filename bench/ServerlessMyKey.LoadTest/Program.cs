using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Azure.Data.Tables;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.DevHost;
using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.LoadTest;
using ServerlessMyKey.LocalStorage;
using Microsoft.Extensions.Logging;

// HTTP load through the real path: the DevHost (Kestrel, the app's functions) on loopback, a private
// in-memory Azurite, N virtual cards (one points account each) at concurrency 1, 16 and 64:
// logins (challenge + session), points debits spread over the accounts (merchant key + the citizen's
// token), and signature verifications (POST /api/signatures/verifications, raw RSA over a document).
// Beside it, in the same run, the raw rate of single-entity Table inserts with 16 callers: a login
// needs about four storage operations, so raw/4 is the storage-bound ceiling of logins/s (a debit three).
// Each row also says how many requests per operation reached Azurite (Table/Queue/Blob, counted from the runtime's
// HTTP client metric, background workers included) and the CPU time per operation of this process and of Azurite.
// Usage: dotnet run -c Release --project bench/ServerlessMyKey.LoadTest -- [seconds per step, default 20] [cards = accounts, default 1000] [steps, default idle,login,debit,verify] [concurrencies, default 1,16,64] [Storage:LoopbackMaxConnections, default unset = no cap]
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var cardCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
var steps = (args.Length > 2 ? args[2] : "idle,login,debit,verify").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
var concurrencies = (args.Length > 3 ? args[3] : "1,16,64").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
const int StorageOperationsPerLogin = 4;
const int StorageOperationsPerDebit = 3;
const string AdminKey = "load-city-admin-key-0000000000000000";
const string ShopKey = "load-shop-debit-key-00000000000000000";
const string VerifierKey = "load-verifier-key-000000000000000000";
const string Shop = "load-shop";

var root = RepositoryRoot.Find();
await using var azurite = await AzuriteProcess.StartOnFreePortsAsync(new AzuriteOptions { RepositoryRoot = root }, Console.WriteLine);
using var storageRequests = new StorageRequestCounter(azurite.Options.BlobPort, azurite.Options.QueuePort, azurite.Options.TablePort);
var cpu = new ProcessCpu(azurite.ProcessId);
var dataPath = Directory.CreateTempSubdirectory("load-").FullName;
var settings = new Dictionary<string, string?>
{
    ["AzureWebJobsStorage"] = azurite.ConnectionString,
    ["urls"] = "http://127.0.0.1:0",
    ["DevHost:DataPath"] = dataPath,
    ["RateLimits:Enabled"] = "false", // one client address drives all the load
    ["Storage:LoopbackMaxConnections"] = args.Length > 4 ? args[4] : null,
    ["Clients:load-city:ApiKey"] = AdminKey,
    ["Clients:load-city:Roles"] = "points.admin,points.credit",
    [$"Clients:{Shop}:ApiKey"] = ShopKey,
    [$"Clients:{Shop}:Roles"] = "points.debit",
    ["Clients:load-verifier:ApiKey"] = VerifierKey,
    ["Clients:load-verifier:Roles"] = "signatures.verify",
    ["Points:Municipalities:131016:ExpiryRule"] = "EndOfNextFiscalYear",
    ["Points:Municipalities:131016:GrantClients"] = "load-city",
};
await using var host = await DevHostApp.StartAsync(ServerlessMyKeyDevHost.Options(settings) with
{
    ConfigureLogging = logging => logging.ClearProviders(),
});
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = host.BaseAddress };
var api = new MyKeyApiClient(http);
var pki = DevelopmentPki.LoadOrCreate(Path.Combine(dataPath, "pki"));
Console.WriteLine($"Issuing {cardCount} virtual cards…");
// 16 key pairs shared round-robin (generating 2,000 RSA keys would take most of the run); every card has its own certificates.
var keyPairs = Enumerable.Range(0, 16).AsParallel().Select(_ => (RSA.Create(2048), RSA.Create(2048))).ToArray();
var cards = Enumerable.Range(0, cardCount).AsParallel().Select(i => pki.IssueCard(new CardHolder("負荷　試験", "東京都千代田区霞が関2-1-2", new DateOnly(1980, 1, 1).AddDays(i), "female"), keys: keyPairs[i % keyPairs.Length])).ToArray();
// Each card logs in once for the merchant (its token is what a debit carries) and gets points of 131016.
Console.WriteLine($"Logging in {cardCount} cards and crediting their accounts…");
var accounts = new (string MyKeyId, string Token)[cardCount];
await Parallel.ForAsync(0, cardCount, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
{
    var session = await api.LoginAsync(cards[i], audience: Shop); // first login: MyKey ID created, certificate seen once
    accounts[i] = (session.GetProperty("myKeyId").GetString()!, session.GetProperty("accessToken").GetString()!);
    using var credit = await SendAsync(HttpMethod.Post, $"api/points/accounts/{accounts[i].MyKeyId}/credits", new { amount = 1_000_000, source = new { kind = "municipality", id = "131016" }, municipalityCode = "131016" }, AdminKey, null, "grant-" + i.ToString(CultureInfo.InvariantCulture));
});
using (var merchant = await SendAsync(HttpMethod.Post, "api/points/merchants", new { merchantId = Shop, name = "負荷試験の店", municipalityCode = "131016", clientId = Shop }, AdminKey, null, null))
{
}

var document = "負荷試験の文書"u8.ToArray();
var verifications = cards.Select(card => new
{
    certificate = Convert.ToBase64String(card.SigningCertificate.RawData),
    signature = Convert.ToBase64String(card.SignWithSigningKey(document)),
    data = Convert.ToBase64String(document),
}).ToArray();

Console.WriteLine($"Raw single-entity inserts, 16 callers, {seconds} s…");
var tableClient = new TableServiceClient(azurite.ConnectionString).GetTableClient("LoadRawInserts");
await tableClient.CreateIfNotExistsAsync();
var raw = await RunAsync(16, TimeSpan.FromSeconds(seconds), async (worker, i) =>
    await tableClient.AddEntityAsync(new TableEntity("p" + (i % 997).ToString(CultureInfo.InvariantCulture), Guid.NewGuid().ToString("N")) { ["Data"] = new string('x', 400) }));
var ceiling = raw.PerSecond / StorageOperationsPerLogin;

Console.WriteLine();
Console.WriteLine($"| operation | concurrency | requests/s | p50 | p95 | p99 | errors | vs storage-bound ceiling ({ceiling:F0} logins/s) | Azurite requests per operation (table + queue + blob) | CPU ms per operation (this process, Azurite) |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
Console.WriteLine(Row("raw Table insert", 16, raw, null));
if (steps.Contains("idle"))
{
    // Nothing sent: what the DevHost's background workers (queue pollers, timers, the Durable sidecar) ask of Azurite by themselves.
    var (requestsBefore, cpuBefore) = (storageRequests.Snapshot(), cpu.Snapshot());
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    var (idleRequests, idleCpu) = (storageRequests.Snapshot() - requestsBefore, cpu.Snapshot() - cpuBefore);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| idle (background workers only), per second | | | | | | | | {idleRequests.Table / (double)seconds:F1} + {idleRequests.Queue / (double)seconds:F1} + {idleRequests.Blob / (double)seconds:F1} | {idleCpu.Host.TotalMilliseconds / seconds:F1}, {idleCpu.Azurite.TotalMilliseconds / seconds:F1} |"));
}

foreach (var concurrency in steps.Contains("login") ? concurrencies : [])
{
    var logins = await RunAsync(concurrency, TimeSpan.FromSeconds(seconds), async (worker, i) => await api.LoginAsync(cards[(worker + (i * concurrency)) % cards.Length]));
    Console.WriteLine(Row("login (challenge + session)", concurrency, logins, ceiling) + $" {OpenConnections.To(azurite.Options.TablePort)} connections to Azurite's Table port");
}

var debitCeiling = raw.PerSecond / StorageOperationsPerDebit;
var debitRun = 0;
foreach (var concurrency in steps.Contains("debit") ? concurrencies : [])
{
    var run = debitRun++;
    var debits = await RunAsync(concurrency, TimeSpan.FromSeconds(seconds), async (worker, i) =>
    {
        var (myKeyId, token) = accounts[(worker + (i * concurrency)) % accounts.Length];
        using var response = await SendAsync(HttpMethod.Post, $"api/points/accounts/{myKeyId}/debits", new { amount = 1, merchantId = Shop }, ShopKey, token, string.Create(CultureInfo.InvariantCulture, $"d-{run}-{worker}-{i}"));
    });
    Console.WriteLine(Row($"points debit, {accounts.Length} accounts (vs raw/{StorageOperationsPerDebit} = {debitCeiling:F0}/s)", concurrency, debits, debitCeiling));
}

foreach (var concurrency in steps.Contains("verify") ? concurrencies : [])
{
    var verified = await RunAsync(concurrency, TimeSpan.FromSeconds(seconds), async (worker, i) =>
    {
        using var response = await SendAsync(HttpMethod.Post, "api/signatures/verifications", verifications[(worker + (i * concurrency)) % verifications.Length], VerifierKey, null, null);
    });
    Console.WriteLine(Row("signature verification (raw, with receipt)", concurrency, verified, null));
}

Directory.Delete(dataPath, recursive: true);
return 0;

// One API call; anything but 2xx counts as an error of the step.
async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object body, string apiKey, string? bearer, string? idempotencyKey)
{
    using var request = new HttpRequestMessage(method, path) { Content = System.Net.Http.Json.JsonContent.Create(body) };
    request.Headers.Add("x-api-key", apiKey);
    if (bearer is not null)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
    }

    if (idempotencyKey is not null)
    {
        request.Headers.Add("Idempotency-Key", idempotencyKey);
    }

    var response = await http.SendAsync(request);
    if (!response.IsSuccessStatusCode)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.Dispose();
        throw new HttpRequestException($"{(int)response.StatusCode} {path}: {text}");
    }

    return response;
}

static string Row(string operation, int concurrency, Result r, double? ceiling) =>
    string.Create(CultureInfo.InvariantCulture, $"| {operation} | {concurrency} | {r.PerSecond:F0} | {r.P(0.50):F1} ms | {r.P(0.95):F1} ms | {r.P(0.99):F1} ms | {r.Errors} | {(ceiling is { } c ? $"{100 * r.PerSecond / c:F0} %" : "")} | {r.PerOperation(r.Storage.Table):F2} + {r.PerOperation(r.Storage.Queue):F2} + {r.PerOperation(r.Storage.Blob):F2} | {r.PerOperation(r.Cpu.Host.TotalMilliseconds):F2}, {r.PerOperation(r.Cpu.Azurite.TotalMilliseconds):F2} |");

async Task<Result> RunAsync(int concurrency, TimeSpan duration, Func<int, int, Task> operation)
{
    var latencies = new List<double>[concurrency];
    var errors = 0;
    var (requestsBefore, cpuBefore) = (storageRequests.Snapshot(), cpu.Snapshot());
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
    var elapsed = clock.Elapsed;
    var (requests, used) = (storageRequests.Snapshot() - requestsBefore, cpu.Snapshot() - cpuBefore);
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return new Result(all, all.Length / elapsed.TotalSeconds, errors, requests, used);
}

internal sealed record Result(double[] SortedMilliseconds, double PerSecond, int Errors, StorageRequests Storage, CpuTimes Cpu)
{
    public double PerOperation(double total) => SortedMilliseconds.Length == 0 ? double.NaN : total / SortedMilliseconds.Length;

    public double P(double quantile) => SortedMilliseconds.Length == 0 ? double.NaN : SortedMilliseconds[Math.Min(SortedMilliseconds.Length - 1, (int)(quantile * SortedMilliseconds.Length))];
}
