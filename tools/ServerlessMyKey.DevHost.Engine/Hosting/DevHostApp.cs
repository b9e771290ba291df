using Azure.Storage.Queues;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.DevHost.Durable;
using ServerlessMyKey.DevHost.Http;
using ServerlessMyKey.DevHost.Invocation;
using ServerlessMyKey.DevHost.Metadata;
using ServerlessMyKey.DevHost.Queues;
using ServerlessMyKey.DevHost.Timers;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.DevHost.Hosting;

/// <summary>
/// A running DevHost: the app's functions served over HTTP, queue and timer triggers, and the
/// Durable worker, all from the functions.metadata of the app. Dispose to stop (Azurite too, if
/// this DevHost started it).
/// </summary>
public sealed class DevHostApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DurableSidecar? _sidecar;
    private readonly AzuriteProcess? _azurite;
    private readonly GrpcChannel? _channel;

    private DevHostApp(WebApplication app, DurableSidecar? sidecar, AzuriteProcess? azurite, GrpcChannel? channel, FunctionCatalog catalog, IReadOnlyList<ServedRoute> routes, Uri baseAddress)
    {
        _app = app;
        _sidecar = sidecar;
        _azurite = azurite;
        _channel = channel;
        Catalog = catalog;
        Routes = routes;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public FunctionCatalog Catalog { get; }

    public IReadOnlyList<ServedRoute> Routes { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The Durable client, when the app has orchestrations or Durable clients.</summary>
    public DurableTaskClient? DurableClient => _app.Services.GetService<DurableTaskClient>();

    public static async Task<DevHostApp> StartAsync(DevHostOptions options, string[]? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        args ??= [];
        var repositoryRoot = DevHostConfiguration.RepositoryRootOrNull();
        var configuration = DevHostConfiguration.Build(options, args, repositoryRoot);

        using var bootstrapLoggerFactory = LoggerFactory.Create(b => ConfigureLogging(b, options));
        var logger = bootstrapLoggerFactory.CreateLogger("DevHost");

        // Everything that can be refused is checked before anything starts.
        var host = HostSettings.Load(Path.Combine(options.AppDirectory, "host.json"));
        host = host with
        {
            DurableHubName = options.DurableHubName ?? configuration["DevHost:DurableHubName"] ?? host.DurableHubName,
            DurablePartitionCount = options.DurablePartitionCount ?? host.DurablePartitionCount,
            QueueMessageLease = options.QueueMessageLease ?? host.QueueMessageLease,
        };
        var catalog = FunctionCatalog.Load(Path.Combine(options.AppDirectory, FunctionMetadata.FileName), options.FunctionsAssembly);
        var storage = configuration["AzureWebJobsStorage"]
            ?? throw new InvalidOperationException("Configuration key 'AzureWebJobsStorage' is missing (local.settings.sample.json sets UseDevelopmentStorage=true).");
        var dataPath = DevHostConfiguration.DataPath(configuration, repositoryRoot);

        var azurite = await LocalStorageStarter.EnsureAsync(storage, dataPath, repositoryRoot, logger, cancellationToken);
        DurableSidecar? sidecar = null;
        GrpcChannel? channel = null;
        try
        {
            var usesDurable = catalog.Functions.Any(f => f.Trigger.Type is "orchestrationTrigger" or "activityTrigger"
                || f.Metadata.Bindings.Any(b => b.Type == "durableClient"));
            if (usesDurable)
            {
                sidecar = await DurableSidecar.StartAsync(ToExplicitConnectionString(storage), host.DurableHubName, host.DurablePartitionCount, b => ConfigureLogging(b, options), cancellationToken);
                channel = GrpcChannel.ForAddress(sidecar.Address);
            }

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = options.AppDirectory });
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddConfiguration(configuration);
            builder.Logging.ClearProviders();
            ConfigureLogging(builder.Logging, options);
            builder.WebHost.UseUrls(configuration["urls"] ?? DevHostOptions.DefaultUrl);
            builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

            builder.Services.AddMvcCore();
            var cors = CorsSettings.Read(configuration);
            builder.Services.AddCors(o => o.AddDefaultPolicy(cors.Apply));
            options.ConfigureServices?.Invoke(builder.Services, builder.Configuration);
            builder.Services.AddSingleton(catalog);
            builder.Services.AddSingleton(host);
            builder.Services.TryAddSingleton(TimeProvider.System);
            // The worker's task factories need the app's root container, which exists only after Build().
            IServiceProvider? rootServices = null;
            if (channel is not null)
            {
                builder.Services.AddDurableTaskClient(b => b.UseGrpc(channel).RegisterDirectly());
                builder.Services.AddDurableTaskWorker(b => b.UseGrpc(channel).AddTasks(r => FunctionTasks.Register(r, catalog, () => rootServices!)));
            }

            AddQueueListeners(builder.Services, catalog, host, configuration, storage);
            if (options.EnableTimers)
            {
                AddTimerSchedulers(builder.Services, catalog, configuration);
            }

            var app = builder.Build();
            rootServices = app.Services;
            app.UseStatusCodePages(context => ProblemWriter.StatusCodePageAsync(context.HttpContext));
            app.UseCors();
            options.ConfigureApp?.Invoke(app, new DevHostContext(configuration, dataPath));
            app.UseRouting();
            var routes = HttpTriggerEndpoints.Map(app, catalog, host);
            await app.StartAsync(cancellationToken);

            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            var devHost = new DevHostApp(app, sidecar, azurite, channel, catalog, routes, new Uri(address.TrimEnd('/') + "/"));
            logger.LogInformation("DevHost ready at {BaseAddress} with {FunctionCount} functions:{Routes}",
                devHost.BaseAddress, catalog.Functions.Count, string.Concat(routes.Select(r => $"{Environment.NewLine}  {string.Join(",", r.Methods),-12} {r.Pattern}  ({r.FunctionName})")));
            return devHost;
        }
        catch
        {
            channel?.Dispose();
            if (sidecar is not null)
            {
                await sidecar.DisposeAsync();
            }

            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Blocks until Ctrl+C / SIGTERM, then stops.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await _app.DisposeAsync();
        _channel?.Dispose();
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    private static void ConfigureLogging(ILoggingBuilder logging, DevHostOptions options)
    {
        if (options.ConfigureLogging is not null)
        {
            options.ConfigureLogging(logging);
            return;
        }

        logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Grpc", LogLevel.Warning);
        logging.AddFilter("DurableTask", LogLevel.Warning);
        logging.AddFilter("Azure", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
    }

    private static void AddQueueListeners(IServiceCollection services, FunctionCatalog catalog, HostSettings host, IConfiguration configuration, string defaultStorage)
    {
        foreach (var function in catalog.WithTrigger("queueTrigger"))
        {
            var connectionName = function.Trigger.Connection is { Length: > 0 } c ? c : "AzureWebJobsStorage";
            var connection = configuration[connectionName] ?? configuration["AzureWebJobs" + connectionName]
                ?? (connectionName == "AzureWebJobsStorage" ? defaultStorage : throw new InvalidOperationException($"Function '{function.Name}': connection setting '{connectionName}' is not set."));
            var queueName = SettingResolver.Resolve(function.Trigger.QueueName ?? throw new InvalidOperationException($"Function '{function.Name}' has no queueName."), configuration);
            var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
            var queue = new QueueClient(connection, queueName, clientOptions);
            var poison = new QueueClient(connection, queueName + "-poison", clientOptions);
            services.AddSingleton<IHostedService>(sp => new QueueTriggerListener(
                function, queue, poison, host, sp, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + function.Name)));
        }
    }

    private static void AddTimerSchedulers(IServiceCollection services, FunctionCatalog catalog, IConfiguration configuration)
    {
        foreach (var function in catalog.WithTrigger("timerTrigger"))
        {
            var schedule = TimerSchedule.Parse(SettingResolver.Resolve(function.Trigger.Schedule ?? string.Empty, configuration));
            services.AddSingleton<IHostedService>(sp => new TimerTriggerScheduler(
                function, schedule, function.Trigger.RunOnStartup, sp, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + function.Name)));
        }
    }

    /// <summary>DurableTask.AzureStorage needs explicit endpoints; expand the emulator shorthand.</summary>
    private static string ToExplicitConnectionString(string connectionString) =>
        connectionString.Replace(" ", string.Empty, StringComparison.Ordinal).Equals("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
            ? AzuriteOptions.BuildConnectionString(10000, 10001, 10002)
            : connectionString;
}
