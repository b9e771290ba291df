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
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.LocalStorage;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Benchmarks;

/// <summary>
/// Smart-TV disaster prevention on one Azurite, through the real services and Table adapters (issue #12):
/// operation-log ingest at 1,000 events a request (1, 10 and 50 events per TV) beside raw single-entity inserts
/// in the same run; and the two tables (避難状況確認 of an alert fanned out to 10,000 TVs, 在宅状況確認 at three
/// slots) for 10,000 residents. The residents and TVs are written straight into the registry's rows in setup
/// (<see cref="DisasterSeed"/>). The fan-out's own time is <see cref="DisasterFanOutRun"/> (on the DevHost).
/// </summary>
[Config(typeof(Config))]
public class DisasterBenchmarks
{
    private const int FanOutTvs = 10_000;
    private const int IngestTvs = 1_000;
    private const string Municipality = DisasterSeed.Municipality;
    private readonly ServiceClient _staff = new("bench-staff", new HashSet<string> { DisasterRoles.Admin });
    private AzuriteProcess _azurite = null!;
    private ServiceProvider _services = null!;
    private LoopbackWebhookReceiver _platform = null!;
    private TableClient _raw = null!;
    private string _alertId = null!;
    private long _counter;
    private QueueServiceClient _queues = null!;
    private CancellationTokenSource _workers = null!;
    private Task _workerLoop = Task.CompletedTask;
    private DateTimeOffset _eventsAt;

    private int _tvs;

    /// <summary>Ingest and raw inserts: 1,000 TVs are enough (a request names at most 1,000).</summary>
    [GlobalSetup(Targets = [nameof(RawInsert), nameof(RawInsertParallel), nameof(Ingest50PerTv), nameof(Ingest10PerTv), nameof(Ingest1PerTv)])]
    public Task SetupIngestAsync() => SetupAsync(IngestTvs, fanOut: false);

    /// <summary>The tables: 10,000 TVs, and one alert already fanned out to them.</summary>
    [GlobalSetup(Targets = [nameof(EvacuationStatus), nameof(Presence)])]
    public Task SetupFanOutAsync() => SetupAsync(FanOutTvs, fanOut: true);

    private async Task SetupAsync(int tvs, bool fanOut)
    {
        _tvs = tvs;
        _azurite = await AzuriteProcess.StartOnFreePortsAsync(new AzuriteOptions { RepositoryRoot = RepositoryRoot.Find() });
        _platform = LoopbackWebhookReceiver.Start();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Keys:LocalPath"] = Path.Combine(Path.GetTempPath(), "smk-bench-keys-" + Guid.NewGuid().ToString("N")[..8]),
            [$"Disaster:Municipalities:{Municipality}:Clients"] = "bench-staff",
            ["Clients:bench-tv:WebhookUrl"] = new Uri(_platform.BaseAddress, "hooks/bench-tv").ToString(),
            ["Clients:bench-tv:WebhookSecret"] = "bench-tv-webhook-secret-0123456789abcdef",
        }).Build();
        _queues = new QueueServiceClient(_azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        _services = new ServiceCollection()
            .AddSingleton(new TableServiceClient(_azurite.ConnectionString))
            .AddSingleton(_queues)
            .AddSingleton(TimeProvider.System)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddServiceKeys(configuration)
            .AddDisaster(configuration)
            .BuildServiceProvider();
        _workers = new CancellationTokenSource();
        _workerLoop = QueueWorkersAsync(_queues.GetQueueClient(StorageAlertWorkQueue.DefaultQueueName), _services.GetRequiredService<AlertFanOut>(), _workers.Token);
        _raw = new TableServiceClient(_azurite.ConnectionString).GetTableClient("RawInserts");
        await _raw.CreateIfNotExistsAsync();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await DisasterSeed.WriteAsync(new TableServiceClient(_azurite.ConnectionString).GetTableClient("DisasterRegistry"), _services.GetRequiredService<ResidentNames>(), tvs);
        Console.WriteLine($"// setup: {tvs} residents and TVs written in {clock.Elapsed.TotalSeconds:F1} s");

        // Power events for every TV, through the ingest, so the tables have something to find.
        var logs = _services.GetRequiredService<OperationLogService>();
        _eventsAt = DateTimeOffset.UtcNow.AddHours(-1);
        foreach (var chunk in Enumerable.Range(0, tvs).Chunk(1000))
        {
            await logs.IngestAsync("bench-tv", new TvEventBatch([.. chunk.Select(i => new TvEventInput("p-" + i, TvId(i), i % 2 == 0 ? "power_on" : "power_off", _eventsAt))]));
        }

        Console.WriteLine($"// setup: power events ingested at {clock.Elapsed.TotalSeconds:F1} s");
        if (fanOut)
        {
            _alertId = await FanOutAsync();
            Console.WriteLine($"// setup: first fan-out done at {clock.Elapsed.TotalSeconds:F1} s");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _workers.CancelAsync();
        await _workerLoop;
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

    [Benchmark(OperationsPerInvoke = 1000, Description = "ingest 1,000 events, 50 per TV (20 TVs)")]
    public Task Ingest50PerTv() => IngestAsync(50);

    [Benchmark(OperationsPerInvoke = 1000, Description = "ingest 1,000 events, 10 per TV (100 TVs)")]
    public Task Ingest10PerTv() => IngestAsync(10);

    [Benchmark(OperationsPerInvoke = 1000, Description = "ingest 1,000 events, 1 per TV (1,000 TVs)")]
    public Task Ingest1PerTv() => IngestAsync(1);

    [Benchmark(Description = "evacuation-status table, 10,000 residents")]
    public Task<EvacuationStatusTable> EvacuationStatus() =>
        _services.GetRequiredService<MunicipalityTables>().EvacuationStatusAsync(_alertId, null, _staff);

    [Benchmark(Description = "presence table, 10,000 residents, 3 slots")]
    public Task<PresenceTable> Presence() =>
        _services.GetRequiredService<MunicipalityTables>().PresenceAsync(Municipality, DateOnly.FromDateTime(_eventsAt.ToOffset(JapanTime.Offset).DateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "09:00,15:00,21:00", null, _staff);

    private Task IngestAsync(int perTv)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-30);
        var batch = Interlocked.Increment(ref _counter);
        var events = Enumerable.Range(0, 1000).Select(i => new TvEventInput($"e-{batch}-{i}", TvId(i / perTv), "channel", at.AddSeconds(i % perTv), "011")).ToList();
        return _services.GetRequiredService<OperationLogService>().IngestAsync("bench-tv", new TvEventBatch(events));
    }

    private async Task<string> FanOutAsync()
    {
        var before = _platform.Received.Count;
        var cap = CapSamples.EvacuationOrder("BENCH-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow);
        var accepted = await _services.GetRequiredService<AlertService>().SubmitAsync(System.Text.Encoding.UTF8.GetBytes(cap), null, _staff);
        var alertId = System.Text.Json.JsonDocument.Parse(accepted.Body).RootElement.GetProperty("alertId").GetString()!;
        var progress = System.Diagnostics.Stopwatch.StartNew();
        while (_platform.Received.Count < before + _tvs)
        {
            await Task.Delay(20);
            if (progress.Elapsed > TimeSpan.FromSeconds(30))
            {
                Console.WriteLine($"// fan-out: {_platform.Received.Count - before} of {_tvs} received");
                progress.Restart();
            }
        }

        return alertId;
    }

    /// <summary>
    /// The queue trigger as the Functions host runs it (host.json): batches of 16 from the Storage queue,
    /// processed in parallel, deleted on success, polling from 100 ms doubling to 2 s while the queue is empty.
    /// </summary>
    private static async Task QueueWorkersAsync(QueueClient queue, AlertFanOut fanOut, CancellationToken stop)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var messages = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(10), stop)).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(delay, stop);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
                    continue;
                }

                delay = TimeSpan.FromMilliseconds(100);
                await Task.WhenAll(messages.Select(async m =>
                {
                    try
                    {
                        await fanOut.RunAsync(StorageAlertWorkQueue.Parse(m.Body.ToString()), stop);
                        await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, stop);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // As the host: the message comes back after the visibility timeout (10 s).
                        Console.WriteLine($"// fan-out work item failed: {ex.GetType().Name}: {ex.Message}");
                        await queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(10), cancellationToken: stop);
                    }
                }));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static string TvId(int i) => DisasterSeed.TvId(i);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Dry.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(20), logOutput: true)).WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }
}
