using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessMyKey.Azure.Storage;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Points;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Core.Validation;

namespace ServerlessMyKey.Azure.Disaster;

public static class DisasterServiceCollectionExtensions
{
    public const string DefaultWatchSchedule = "0 */15 * * * *";

    /// <summary>
    /// Smart-TV disaster prevention and watching: <c>Disaster:*</c> and <c>Watch:*</c> (checked here, so bad
    /// configuration stops the app naming the key), the Table Storage and queue adapters, the TV platforms'
    /// webhooks (<c>Clients:&lt;id&gt;:WebhookUrl</c>, never following redirects) and the services. Needs a
    /// <see cref="TableServiceClient"/>, a <see cref="QueueServiceClient"/>, the key service and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddDisaster(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = ReadOptions(configuration);
        var queueName = QueueNameSetting.Read(configuration, StorageAlertWorkQueue.QueueSetting, StorageAlertWorkQueue.DefaultQueueName);
        var endpoints = CertificateWatchServiceCollectionExtensions.ReadClientWebhooks(configuration);
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) };
        services.AddSingleton(options);
        services.AddSingleton(sp => new TvPlatformWebhooks(new ClientWebhooks(endpoints, http, sp.GetRequiredService<TimeProvider>())));
        services.AddIdempotencyClaims(tablePrefix);
        services.TryAddSingleton<EnvelopeEncryption>();
        services.AddSingleton<IDisasterRegistry>(sp => new TableDisasterRegistry(Table(sp, tablePrefix, "DisasterRegistry"), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAlertStore>(sp => new TableAlertStore(Table(sp, tablePrefix, "DisasterAlerts")));
        services.AddSingleton<IOperationLogStore>(sp => new TableOperationLogStore(Table(sp, tablePrefix, "TvOperationLogs")));
        services.AddSingleton<ITvDayStore>(sp => new TableTvDayStore(Table(sp, tablePrefix, "TvDays")));
        services.AddSingleton<IWatchAlertStore>(sp => new TableWatchAlertStore(Table(sp, tablePrefix, "DisasterWatchAlerts")));
        services.AddSingleton<IAlertWorkQueue>(sp => new StorageAlertWorkQueue(sp.GetRequiredService<QueueServiceClient>(), queueName));
        services.AddSingleton<ResidentNames>();
        services.AddSingleton<TvActivity>();
        services.AddSingleton<KnownTvs>();
        services.AddSingleton<TvPairingService>();
        services.AddSingleton<AlertService>();
        services.AddSingleton<AlertFanOut>();
        services.AddSingleton<OperationLogService>();
        services.AddSingleton<ShelterCheckinService>();
        services.AddSingleton<MunicipalityTables>();
        services.AddSingleton<WatchingService>();
        return services;
    }

    public static DisasterOptions ReadOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var municipalities = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var municipality in configuration.GetSection("Disaster:Municipalities").GetChildren())
        {
            var key = $"Disaster:Municipalities:{municipality.Key}:Clients";
            if (!PointsRules.IsMunicipalityCode(municipality.Key))
            {
                throw new InvalidOperationException($"Configuration key '{key}': '{municipality.Key}' is not a 6-digit municipality code.");
            }

            var clients = (municipality["Clients"] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            municipalities[municipality.Key] = clients.All(RequestFields.IsId)
                ? clients.ToHashSet(StringComparer.Ordinal)
                : throw new InvalidOperationException($"Configuration key '{key}' must list client ids separated by commas.");
        }

        var qr = configuration["Disaster:QrBaseUri"];
        return new DisasterOptions(municipalities)
        {
            DeliveryBatchSize = Whole(configuration, "Disaster:DeliveryBatchSize", 50, 1, 500),
            MaxDeliveryAttempts = Whole(configuration, "Disaster:MaxDeliveryAttempts", 5, 1, 20),
            RetryBaseDelay = TimeSpan.FromSeconds(Whole(configuration, "Disaster:RetryBaseSeconds", 30, 1, 3600)),
            CheckinLookback = TimeSpan.FromHours(Whole(configuration, "Disaster:CheckinLookbackHours", 12, 0, 168)),
            MaxOn = TimeSpan.FromHours(Whole(configuration, "Watch:MaxOnHours", 18, 1, 168)),
            MaxIdle = TimeSpan.FromHours(Whole(configuration, "Watch:MaxIdleHours", 24, 1, 168)),
            QrBaseUri = string.IsNullOrEmpty(qr) ? new DisasterOptions(municipalities).QrBaseUri
                : Uri.TryCreate(qr, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps ? qr
                : throw new InvalidOperationException("Configuration key 'Disaster:QrBaseUri' must be an absolute https URL."),
        };
    }

    private static int Whole(IConfiguration configuration, string key, int defaultValue, int min, int max)
    {
        var text = configuration[key];
        if (string.IsNullOrEmpty(text))
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException($"Configuration key '{key}' must be a whole number, {min}–{max}.");
    }

    private static LazyTable Table(IServiceProvider services, string prefix, string name) =>
        new(services.GetRequiredService<TableServiceClient>(), prefix + name);
}
