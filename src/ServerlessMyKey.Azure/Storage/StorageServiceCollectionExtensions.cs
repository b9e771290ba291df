using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Storage;
using ServerlessMyKey.Core.Health;

namespace ServerlessMyKey.Azure;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Table, Blob and Queue clients for the account in <c>AzureWebJobsStorage</c>, and the
    /// health probes of each. Probes use their own clients without retries, so that an outage is
    /// reported within seconds instead of after the SDK's back-off.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var connection = StorageConnection.FromConfiguration(configuration);
        services.AddSingleton(connection);
        var loopbackSetting = configuration[LoopbackTableConnections.SettingName];
        var loopbackConnections = 0;
        if (!string.IsNullOrEmpty(loopbackSetting)
            && (!int.TryParse(loopbackSetting, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out loopbackConnections) || loopbackConnections > 1024))
        {
            throw new InvalidOperationException($"Configuration key '{LoopbackTableConnections.SettingName}' must be 0 (no cap) to 1024.");
        }

        services.AddSingleton(_ => connection.CreateTableServiceClient(LoopbackTableConnections.Options(connection, loopbackConnections)));
        services.AddSingleton(_ => connection.CreateBlobServiceClient());
        services.AddSingleton(_ => connection.CreateQueueServiceClient());

        services.AddSingleton<IHealthProbe>(_ => StorageHealthProbes.Tables(connection.CreateTableServiceClient(NoRetry(new TableClientOptions()))));
        services.AddSingleton<IHealthProbe>(_ => StorageHealthProbes.Blobs(connection.CreateBlobServiceClient(NoRetry(new BlobClientOptions()))));
        services.AddSingleton<IHealthProbe>(_ => StorageHealthProbes.Queues(connection.CreateQueueServiceClient(NoRetry(new QueueClientOptions()))));
        return services;
    }

    private static T NoRetry<T>(T options)
        where T : ClientOptions
    {
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(3);
        return options;
    }
}
