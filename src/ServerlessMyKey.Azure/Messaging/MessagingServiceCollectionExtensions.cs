using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Azure.Hosting;
using ServerlessMyKey.Azure.Messaging;
using ServerlessMyKey.Core.Messaging;

namespace ServerlessMyKey.Azure;

public static class MessagingServiceCollectionExtensions
{
    public const string NamespaceSetting = "ServiceBus:FullyQualifiedNamespace";

    /// <summary>
    /// The outbound publisher (<see cref="IOutboundPublisher"/>): Service Bus topics when
    /// <c>ServiceBus:FullyQualifiedNamespace</c> is set (identity per <c>ServiceBus:ClientId</c>),
    /// otherwise Storage queues of the account registered by <c>AddStorage</c>.
    /// </summary>
    public static IServiceCollection AddOutboundMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var fullyQualifiedNamespace = configuration[NamespaceSetting];
        if (string.IsNullOrWhiteSpace(fullyQualifiedNamespace))
        {
            services.AddSingleton<IOutboundPublisher>(sp => new StorageQueuePublisher(
                sp.GetRequiredService<QueueServiceClient>(), sp.GetService<ILogger<StorageQueuePublisher>>()));
            return services;
        }

        var host = ParseNamespace(fullyQualifiedNamespace);
        var credential = AzureCredentials.ForService(configuration, "ServiceBus");
        services.AddSingleton<IOutboundPublisher>(sp => new ServiceBusPublisher(new ServiceBusClient(host, credential), sp.GetService<ILogger<ServiceBusPublisher>>()));
        return services;
    }

    /// <summary>A host name such as <c>contoso.servicebus.windows.net</c>; a pasted <c>sb://</c> or <c>https://</c> endpoint is accepted too.</summary>
    private static string ParseNamespace(string value)
    {
        value = value.Trim();
        var host = Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri.Host
            : Uri.CheckHostName(value) == UriHostNameType.Dns ? value
            : null;
        return host is not null && host.Contains('.', StringComparison.Ordinal)
            ? host
            : throw new InvalidOperationException(
                $"Configuration key '{NamespaceSetting}' must be a namespace host name such as <namespace>.servicebus.windows.net (was '{value}').");
    }
}
