using Azure.Data.Tables;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure;
using ServerlessMyKey.Core.Points;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.Benchmarks;

/// <summary>
/// Debits per second through the points service and its Table adapter on one Azurite: all on one
/// hot account (every writer contends for one summary row's ETag) and spread over 1,000 accounts,
/// beside the raw single-entity insert rate of the same Azurite in the same run. Each debit is an
/// idempotency claim, a partition read and one entity-group transaction.
/// </summary>
[Config(typeof(Config))]
public class PointsBenchmarks
{
    public const int OperationsPerInvoke = 200;
    private const int SpreadAccounts = 1000;
    private const string Municipality = "131016";

    private readonly ServiceClient _merchant = new("bench-shop", new HashSet<string> { PointsRoles.Debit });
    private AzuriteProcess _azurite = null!;
    private ServiceProvider _services = null!;
    private PointsLedgerService _points = null!;
    private TableClient _rawTable = null!;
    private string[] _accounts = null!;
    private string _hotAccount = null!;
    private long _counter;

    [Params(1, 16)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _azurite = await AzuriteProcess.StartOnFreePortsAsync(new AzuriteOptions { RepositoryRoot = RepositoryRoot.Find() });
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"Points:Municipalities:{Municipality}:ExpiryRule"] = "None" })
            .Build();
        var tableService = new TableServiceClient(_azurite.ConnectionString);
        _services = new ServiceCollection()
            .AddSingleton(tableService)
            .AddSingleton(TimeProvider.System)
            .AddPoints(configuration)
            .BuildServiceProvider();
        _points = _services.GetRequiredService<PointsLedgerService>();
        _rawTable = tableService.GetTableClient("RawInserts");
        await _rawTable.CreateIfNotExistsAsync();

        var admin = new ServiceClient("bench-admin", new HashSet<string> { ServiceRoles.Admin });
        await _points.RegisterMerchantAsync(new MerchantRegistration("bench-shop", "Bench shop", Municipality), null, admin);
        _hotAccount = "HOT00001";
        _accounts = [.. Enumerable.Range(0, SpreadAccounts).Select(i => "ACC" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture))];
        await ForEachAsync(_accounts.Append(_hotAccount), 16, account =>
            _points.CreditAsync(account, new CreditRequest(int.MaxValue, new PointsSource(PointsSource.Municipality, "bench"), Municipality), Guid.NewGuid().ToString("N"), admin));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _services.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke, Description = "raw single-entity insert")]
    public Task RawInsert() => ForEachAsync(Enumerable.Range(0, OperationsPerInvoke), Concurrency, _ =>
    {
        var n = Interlocked.Increment(ref _counter);
        return _rawTable.AddEntityAsync(new TableEntity("p" + (n % 1000), n.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            ["Amount"] = n,
            ["Data"] = new byte[512],
        });
    });

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke, Description = "debit, one hot account")]
    public Task DebitHotAccount() => ForEachAsync(Enumerable.Range(0, OperationsPerInvoke), Concurrency, _ => DebitAsync(_hotAccount));

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke, Description = "debit, 1,000 accounts")]
    public Task DebitSpread() => ForEachAsync(Enumerable.Range(0, OperationsPerInvoke), Concurrency, _ => DebitAsync(_accounts[Random.Shared.Next(SpreadAccounts)]));

    private Task DebitAsync(string account) =>
        _points.DebitAsync(account, new DebitRequest(1, "bench-shop"), Guid.NewGuid().ToString("N"), _merchant);

    private static Task ForEachAsync<T>(IEnumerable<T> items, int concurrency, Func<T, Task> body) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (item, _) => await body(item));

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }
}
