using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.Azure.Disaster;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>The disaster services on real Azurite (tables of their own, development keys in <c>Keys:LocalPath</c>), as a test builds them.</summary>
internal static class DisasterTestServices
{
    public static ServiceProvider Build(AzuriteFixture azurite, QueueServiceClient queues, IDictionary<string, string?> settings, string tablePrefix, Func<IConfiguration, DisasterOptions>? options = null, TableClientOptions? tableOptions = null, bool exactPrefix = false, TimeProvider? time = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(settings) { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" }).Build();
        var services = new ServiceCollection()
            .AddSingleton(new TableServiceClient(azurite.ConnectionString, tableOptions ?? new TableClientOptions()))
            .AddSingleton(queues)
            .AddSingleton(time ?? TimeProvider.System)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddServiceKeys(configuration)
            .AddDisaster(configuration, exactPrefix ? tablePrefix : tablePrefix + Guid.NewGuid().ToString("N")[..8]);
        if (options is not null)
        {
            services.AddSingleton(_ => options(configuration));
        }

        return services.BuildServiceProvider();
    }
}
