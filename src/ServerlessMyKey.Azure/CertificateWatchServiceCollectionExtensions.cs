using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Certificates;
using ServerlessMyKey.Azure.Hosting;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Certificates.Watches;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Core.Validation;

using ServerlessMyKey.Azure.Storage;

namespace ServerlessMyKey.Azure;

public static class CertificateWatchServiceCollectionExtensions
{
    public const string DefaultQueueName = "certificate-watches";

    /// <summary>HMAC-SHA256 keys shorter than 32 characters are refused.</summary>
    public const int MinimumSecretLength = 32;

    /// <summary>
    /// Certificate watches: the clients' webhooks (<c>Clients:&lt;id&gt;:WebhookUrl</c>, <c>:WebhookSecret</c>),
    /// the work queue (<c>Certificates:WatchQueue</c>), the Table Storage adapter and the services.
    /// Needs the certificate status service, a <see cref="TableServiceClient"/>, a <see cref="QueueServiceClient"/>
    /// and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddCertificateWatches(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        var endpoints = ReadClientWebhooks(configuration);
        var queueName = QueueNameSetting.Read(configuration, "Certificates:WatchQueue", DefaultQueueName);
        var http = Http.OutboundHttp.CreateClient(DeploymentEnvironment.IsDevelopment(configuration), TimeSpan.FromSeconds(10));
        services.AddSingleton(sp => new ClientWebhooks(endpoints, http, sp.GetRequiredService<TimeProvider>()));
        services.AddIdempotencyClaims(tablePrefix);
        services.AddSingleton<ICertificateWatchStore>(sp => new TableCertificateWatchStore(new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "CertificateWatches")));
        services.AddSingleton<ICertificateWatchQueue>(sp => new StorageCertificateWatchQueue(sp.GetRequiredService<QueueServiceClient>(), queueName));
        services.AddSingleton<CertificateWatchService>();
        services.AddSingleton<CertificateWatchRechecks>();
        return services;
    }

    /// <summary>
    /// Reads each client's webhook. Both settings or neither; the URL absolute https (http only in
    /// Development, for loopback receivers); the secret at least 32 characters, never an unresolved Key
    /// Vault reference.
    /// </summary>
    public static IReadOnlyDictionary<string, ClientWebhookEndpoint> ReadClientWebhooks(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var development = DeploymentEnvironment.IsDevelopment(configuration);
        var endpoints = new Dictionary<string, ClientWebhookEndpoint>(StringComparer.Ordinal);
        foreach (var client in configuration.GetSection("Clients").GetChildren())
        {
            var url = client["WebhookUrl"];
            var secret = client["WebhookSecret"];
            if (string.IsNullOrEmpty(url) && string.IsNullOrEmpty(secret))
            {
                continue;
            }

            var urlKey = $"Clients:{client.Key}:WebhookUrl";
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (development && uri.Scheme == Uri.UriSchemeHttp)))
            {
                throw new InvalidOperationException($"Configuration key '{urlKey}' must be an absolute https URL (http only in Development) when '{urlKey.Replace("Url", "Secret", StringComparison.Ordinal)}' is set.");
            }

            if (!RequestFields.IsId(client.Key))
            {
                throw new InvalidOperationException($"Configuration key '{urlKey}': the client id must be 1–64 letters, digits, '.', '_' or '-'.");
            }

            endpoints[client.Key] = new ClientWebhookEndpoint(uri, Encoding.UTF8.GetBytes(SecretSetting.Require(secret, $"Clients:{client.Key}:WebhookSecret", MinimumSecretLength)));
        }

        return endpoints;
    }
}
