using System.Threading.Channels;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.Azure;
using ServerlessMyKey.Azure.Disaster;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.LocalStorage;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Benchmarks;

/// <summary>
/// Smart-TV disaster prevention on one Azurite, through the real services and Table adapters (issue #12):
/// operation-log ingest at 1,000 events a request (1 and 10 events per TV) beside raw single-entity inserts
/// in the same run; the fan-out of one alert to 10,000 TVs until the loopback platform received all 10,000
/// signed messages (the fan-out queue in process, 4 workers, so the DevHost's queue polling is not in the
/// figure); and the evacuation-status table of that alert for 10,000 residents.
/// </summary>
[Config(typeof(Config))]
public class DisasterBenchmarks
{
    private const int FanOutTvs = 10_000;
    private const int IngestTvs = 1_000;
    private const string Municipality = "363880";
    private readonly ServiceClient _staff = new("bench-staff", new HashSet<string> { DisasterRoles.Admin });
    private AzuriteProcess _azurite = null!;
    private ServiceProvider _services = null!;
    private LoopbackWebhookReceiver _platform = null!;
    private TableClient _raw = null!;
    private string _alertId = null!;
    private long _counter;

    private int _tvs;

    /// <summary>Ingest and raw inserts: 1,000 TVs are enough (a request names at most 1,000).</summary>
    [GlobalSetup(Targets = [nameof(RawInsert), nameof(RawInsertParallel), nameof(Ingest10PerTv), nameof(Ingest1PerTv)])]
    public Task SetupIngestAsync() => SetupAsync(IngestTvs, fanOut: false);

    /// <summary>The fan-out and the table: 10,000 TVs, and one alert already fanned out to them.</summary>
    [GlobalSetup(Targets = [nameof(FanOut), nameof(EvacuationStatus)])]
    public Task SetupFanOutAsync() => SetupAsync(FanOutTvs, fanOut: true);

    private async Task SetupAsync(int tvs, bool fanOut)
    {
        _tvs = tvs;
        var (blob, queue, table) = AzuriteProcess.FindFreePorts();
        _azurite = await AzuriteProcess.StartAsync(new AzuriteOptions { RepositoryRoot = RepositoryRoot.Find(), BlobPort = blob, QueuePort = queue, TablePort = table });
        _platform = LoopbackWebhookReceiver.Start();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Keys:LocalPath"] = Path.Combine(Path.GetTempPath(), "smk-bench-keys-" + Guid.NewGuid().ToString("N")[..8]),
            [$"Disaster:Municipalities:{Municipality}:Clients"] = "bench-staff",
            ["Clients:bench-tv:WebhookUrl"] = new Uri(_platform.BaseAddress, "hooks/bench-tv").ToString(),
            ["Clients:bench-tv:WebhookSecret"] = "bench-tv-webhook-secret-0123456789abcdef",
        }).Build();
        _services = new ServiceCollection()
            .AddSingleton(new TableServiceClient(_azurite.ConnectionString))
            .AddSingleton(new QueueServiceClient(_azurite.ConnectionString))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddServiceKeys(configuration)
            .AddDisaster(configuration)
            .AddSingleton<InProcessQueue>()
            .AddSingleton<IAlertWorkQueue>(sp => sp.GetRequiredService<InProcessQueue>())
            .BuildServiceProvider();
        _services.GetRequiredService<InProcessQueue>().Start(_services.GetRequiredService<AlertFanOut>());
        _raw = new TableServiceClient(_azurite.ConnectionString).GetTableClient("RawInserts");
        await _raw.CreateIfNotExistsAsync();

        // 10,000 residents, a TV each, paired through the service (names encrypted as in production).
        var pairings = _services.GetRequiredService<TvPairingService>();
        var platform = new ServiceClient("bench-tv", new HashSet<string> { DisasterRoles.TvPlatform });
        await Parallel.ForEachAsync(Enumerable.Range(0, tvs), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var tvId = "tv-" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
            var code = await pairings.CreatePairingAsync(new PairingRequest(tvId), platform, ct);
            await pairings.ClaimAsync(code.PairingCode, new PairingClaim(new ResidentDetails($"住民{i}", $"ジュウミン{i}", Municipality, "d" + (i % 20)), new PairingConsent(false)),
                new Citizen("K" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture), "01", DateTimeOffset.MaxValue), ct);
        });

        // Power events for every TV, so the table has something to find.
        var logs = _services.GetRequiredService<OperationLogService>();
        var now = DateTimeOffset.UtcNow;
        foreach (var chunk in Enumerable.Range(0, tvs).Chunk(1000))
        {
            await logs.IngestAsync("bench-tv", new TvEventBatch([.. chunk.Select(i => new TvEventInput("p-" + i, "tv-" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture), i % 2 == 0 ? "power_on" : "power_off", now.AddHours(-1)))]));
        }

        if (fanOut)
        {
            _alertId = await FanOutAsync();
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _services.DisposeAsync();
        await _platform.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 1000, Description = "raw single-entity insert, one after another")]
    public async Task RawInsert()
    {
        for (var i = 0; i < 1000; i++)
        {
            var n = Interlocked.Increment(ref _counter);
            await _raw.AddEntityAsync(new TableEntity("p" + (n % 1000), n.ToString(System.Globalization.CultureInfo.InvariantCulture)) { ["Type"] = "channel", ["At"] = DateTimeOffset.UtcNow });
        }
    }

    [Benchmark(OperationsPerInvoke = 1000, Description = "raw single-entity insert, 16 in parallel")]
    public Task RawInsertParallel() => Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
    {
        var n = Interlocked.Increment(ref _counter);
        await _raw.AddEntityAsync(new TableEntity("p" + (n % 1000), n.ToString(System.Globalization.CultureInfo.InvariantCulture)) { ["Type"] = "channel", ["At"] = DateTimeOffset.UtcNow }, ct);
    });

    [Benchmark(OperationsPerInvoke = 1000, Description = "ingest 1,000 events, 10 per TV (100 TVs)")]
    public Task Ingest10PerTv() => IngestAsync(10);

    [Benchmark(OperationsPerInvoke = 1000, Description = "ingest 1,000 events, 1 per TV (1,000 TVs)")]
    public Task Ingest1PerTv() => IngestAsync(1);

    [Benchmark(Description = "fan-out of one alert to 10,000 TVs, until all received")]
    [BenchmarkCategory("fan-out")]
    public Task<string> FanOut() => FanOutAsync();

    [Benchmark(Description = "evacuation-status table, 10,000 residents")]
    [BenchmarkCategory("fan-out")]
    public Task<EvacuationStatusTable> EvacuationStatus() =>
        _services.GetRequiredService<MunicipalityTables>().EvacuationStatusAsync(_alertId, null, _staff);

    private Task IngestAsync(int perTv)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-30);
        var batch = Interlocked.Increment(ref _counter);
        var events = Enumerable.Range(0, 1000).Select(i => new TvEventInput($"e-{batch}-{i}", "tv-" + (i / perTv).ToString("D5", System.Globalization.CultureInfo.InvariantCulture), "channel", at.AddSeconds(i % perTv), "011")).ToList();
        return _services.GetRequiredService<OperationLogService>().IngestAsync("bench-tv", new TvEventBatch(events));
    }

    private async Task<string> FanOutAsync()
    {
        var before = _platform.Received.Count;
        var cap = CapSamples.EvacuationOrder("BENCH-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow);
        var accepted = await _services.GetRequiredService<AlertService>().SubmitAsync(System.Text.Encoding.UTF8.GetBytes(cap), null, _staff);
        var alertId = System.Text.Json.JsonDocument.Parse(accepted.Body).RootElement.GetProperty("alertId").GetString()!;
        while (_platform.Received.Count < before + _tvs)
        {
            await Task.Delay(20);
        }

        return alertId;
    }

    /// <summary>The fan-out queue in process: 4 workers, delays honoured.</summary>
    private sealed class InProcessQueue : IAlertWorkQueue
    {
        private readonly Channel<AlertWorkItem> _items = Channel.CreateUnbounded<AlertWorkItem>();

        public void Start(AlertFanOut fanOut)
        {
            for (var i = 0; i < 4; i++)
            {
                _ = Task.Run(async () =>
                {
                    await foreach (var item in _items.Reader.ReadAllAsync())
                    {
                        await fanOut.RunAsync(item);
                    }
                });
            }
        }

        public async Task EnqueueAsync(AlertWorkItem item, TimeSpan delay = default, CancellationToken cancellationToken = default)
        {
            if (delay > TimeSpan.Zero)
            {
                _ = Task.Delay(delay, CancellationToken.None).ContinueWith(_ => _items.Writer.TryWrite(item), TaskScheduler.Default);
                return;
            }

            await _items.Writer.WriteAsync(item, cancellationToken);
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Dry.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(40), logOutput: true)).WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }
}
