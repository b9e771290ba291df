using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServerlessMyKey.DevHost.Durable;

/// <summary>
/// The Durable Task sidecar the worker talks to over gRPC, running in-process on a loopback
/// port. Its backend is DurableTask.AzureStorage on the app's storage account (Azurite), so
/// orchestration state survives a DevHost restart exactly as it does on the Functions host.
/// </summary>
internal sealed class DurableSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IOrchestrationService _service;
    private readonly ILoggerFactory _loggerFactory;

    private DurableSidecar(WebApplication app, IOrchestrationService service, ILoggerFactory loggerFactory, Uri address)
    {
        _app = app;
        _service = service;
        _loggerFactory = loggerFactory;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<DurableSidecar> StartAsync(string storageConnectionString, string hubName, int partitionCount, Action<ILoggingBuilder> configureLogging, CancellationToken cancellationToken)
    {
        var loggerFactory = LoggerFactory.Create(configureLogging);
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = hubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(storageConnectionString),
            PartitionCount = partitionCount,
            MaxQueuePollingInterval = TimeSpan.FromSeconds(1),

            // One DevHost runs at a time: a restarted DevHost takes the partitions over within seconds
            // instead of waiting out the production lease timings.
            UseAppLease = false,
            WorkerId = $"devhost-{Environment.ProcessId}-{Guid.NewGuid():N}",
            LeaseAcquireInterval = TimeSpan.FromSeconds(1),
            LeaseRenewInterval = TimeSpan.FromSeconds(2),
            LeaseInterval = TimeSpan.FromSeconds(8),

            // A queue message dequeued just before storage went away (the response lost, or the partition's
            // lease lost with the message still buffered) stays invisible this long before it is taken again:
            // the default of 5 minutes held a delegation transmission back 5 minutes after an outage of 15 s.
            // The sidecar's dispatchers never renew a message's visibility, so this must stay above the
            // longest work item: the activities' outbound calls time out after 10 s, an orchestration episode
            // takes milliseconds.
            ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(60),
            WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(60),
            LoggerFactory = loggerFactory,
        };
        var service = new AzureStorageOrchestrationService(settings);
        await service.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var orderedService = OrderedStartStop.Wrap(service);
        builder.Services.AddSingleton(orderedService);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new DurableSidecar(app, orderedService, loggerFactory, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _app.StopAsync(timeout.Token);

            // Wait until the backend has drained and released its partitions, so that a DevHost
            // started next on the same task hub takes them over cleanly.
            await _service.StopAsync(isForced: false).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // Storage is gone (or too slow to answer): the partitions cannot be released, and their
            // leases expire by themselves; stopping the host must not fail because of it.
            _loggerFactory.CreateLogger<DurableSidecar>().LogWarning("The Durable backend did not stop within 15 s; its partition leases will expire on their own");
        }
        finally
        {
            await _app.DisposeAsync();
            _loggerFactory.Dispose();
        }
    }
}
