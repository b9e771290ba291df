using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.Azure.Certificates;
using ServerlessMyKey.Core.Certificates;
using ServerlessMyKey.Core.Certificates.StatusJobs;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.Benchmarks;

/// <summary>
/// A whole certificate status job on one Azurite, as the Functions host runs it: the job created and
/// its parts stored (500 certificates each), one queue message per part, and <see cref="Workers"/>
/// chunks checked at a time (the host's queue <c>batchSize</c> is 16) against a 1,000,000-entry CRL,
/// results written and the job completed. One operation = one certificate.
/// </summary>
[Config(typeof(Config))]
public class StatusJobBenchmarks
{
    public const int Certificates = 10_000;
    private const int PartSize = 500;

    private readonly ServiceClient _insurer = new("bench-insurer", new HashSet<string> { CertificateRoles.Status });
    private AzuriteProcess _azurite = null!;
    private ServiceProvider _services = null!;
    private StatusJobService _jobs = null!;
    private QueueClient _queue = null!;
    private StatusJobPartRequest[] _parts = [];

    [Params(1, 16)]
    public int Workers { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _azurite = await AzuriteProcess.StartOnFreePortsAsync(new AzuriteOptions { RepositoryRoot = RepositoryRoot.Find() });
        var queueName = "bench-status-chunks";
        var queues = new QueueServiceClient(_azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        // No verified-certificate cache: the certificates of a status job are mostly new to the verifier.
        var options = new JpkiOptions { Revocation = new() { CrlFiles = ["memory"] }, CertificateCacheSize = 0 };
        var anchors = JpkiTrustAnchors.Create([DevelopmentPki.AuthenticationRoot.ToAnchor()]);
        var clock = new FixedClock(DevelopmentPki.Now);
        var revocation = new CrlRevocationChecker([new MemoryCrlSource(CrlSamples.Write(1_000_000))], anchors, clock, options);
        _services = new ServiceCollection()
            .AddSingleton(new BlobServiceClient(_azurite.ConnectionString))
            .AddSingleton(new TableServiceClient(_azurite.ConnectionString))
            .AddSingleton(queues)
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddSingleton(new JpkiCertificateVerifier(anchors, revocation, clock, options))
            .AddSingleton<CertificateStatusService>()
            .AddCertificateStatusJobs(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [StorageQueueStatusJobQueue.QueueSetting] = queueName }).Build())
            .BuildServiceProvider();
        _jobs = _services.GetRequiredService<StatusJobService>();
        _queue = queues.GetQueueClient(queueName);
        await _queue.CreateIfNotExistsAsync();
        _parts = [.. Enumerable.Range(0, Certificates / PartSize).Select(_ => new StatusJobPartRequest(
            [.. Enumerable.Range(0, PartSize).Select(_ => Convert.ToBase64String(DevelopmentPki.Issue(LeafSpec.Authentication())))]))];
        if ((await RunJobAsync()).Summary.Good != Certificates)
        {
            throw new InvalidOperationException("The baseline job does not answer good for every certificate.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _services.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = Certificates, Description = "status job, per certificate")]
    public async Task<int> StatusJob() => (await RunJobAsync()).Processed;

    private async Task<StatusJobView> RunJobAsync()
    {
        var created = await _jobs.CreateAsync(new StatusJobRequest(null, _parts.Length), null, _insurer);
        await Parallel.ForAsync(0, _parts.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
            await _jobs.PutPartAsync(created.JobId, i + 1, _parts[i], _insurer, ct));
        await Parallel.ForAsync(0, Workers, async (_, ct) =>
        {
            while ((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(5), ct)).Value is [var message])
            {
                await _jobs.ProcessChunkAsync(StorageQueueStatusJobQueue.Parse(message.Body.ToString()), lastDelivery: true, ct);
                await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            }
        });
        var view = (await _jobs.GetAsync(created.JobId, _insurer)).View;
        return view.Status == "completed" ? view : throw new InvalidOperationException($"The job ended {view.Status}.");
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }
}
