using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Keys;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessMyKey.Azure.Delegation;
using ServerlessMyKey.Azure.Hosting;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Delegation;

namespace ServerlessMyKey.Azure;

public static class DelegationServiceCollectionExtensions
{
    /// <summary>
    /// Electronic delegation: <c>Delegation:*</c> (validated here), the service and its Table Storage
    /// adapter. Needs the JPKI verifier, a <see cref="TableServiceClient"/> and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddDelegation(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(ReadOptions(configuration));
        services.AddIdempotencyClaims(tablePrefix);
        services.AddSingleton<IDelegationStore>(sp => new TableDelegationStore(
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "Delegations"),
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "DelegationNumbers"),
            sp.GetRequiredService<EnvelopeEncryption>(),
            sp.GetRequiredService<DelegationDocumentCache>()));
        services.AddSingleton<DelegationDocumentCache>();
        services.AddSingleton<IDelegatorNotificationOutbox>(sp => new TableDelegatorNotificationOutbox(
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "DelegatorNotifications")));
        services.AddSingleton<DelegatorNotifications>();
        services.TryAddSingleton<EnvelopeEncryption>();
        services.AddSingleton<DelegationService>();
        services.AddSingleton<DelegationSignatures>();
        services.AddCorporateDelegators(configuration);
        services.AddTransient<SealDelegationActivity>();
        services.AddTransient<PublishDelegationActivity>();
        services.AddTransient<NotifyDelegatorActivity>();
        services.AddTransient<RecordDelegatorNotificationActivity>();
        services.AddSingleton(new DelegatorWebhookClient(Http.OutboundHttp.CreateClient(DeploymentEnvironment.IsDevelopment(configuration), TimeSpan.FromSeconds(10))));
        return services;
    }

    /// <summary>Reads <c>Delegation:*</c>: procedures (a list, or one comma-separated value), recipients and the transmission timing.</summary>
    public static DelegationOptions ReadOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var procedures = ReadList(configuration, "Delegation:Procedures") ?? [.. DelegationOptions.DefaultProcedures];
        if (procedures.Count == 0 || procedures.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > 100 || p.Any(char.IsControl)))
        {
            throw new InvalidOperationException("Configuration key 'Delegation:Procedures' must list 1 or more procedure ids of at most 100 characters.");
        }

        var recipients = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var recipient in configuration.GetSection("Delegation:Recipients").GetChildren())
        {
            var topic = recipient["Topic"];
            if (string.IsNullOrWhiteSpace(topic) || !ServerlessMyKey.Core.Validation.RequestFields.IsId(recipient.Key))
            {
                throw new InvalidOperationException($"Configuration key 'Delegation:Recipients:{recipient.Key}:Topic' needs a topic name, and the recipient id must be 1–64 letters, digits, '.', '_' or '-'.");
            }

            recipients[recipient.Key] = topic;
        }

        return new DelegationOptions(new HashSet<string>(procedures!, StringComparer.Ordinal))
        {
            RecipientTopics = recipients,
            DelegatorWebhook = ReadWebhook(configuration),
            AckTimeout = TimeSpan.FromSeconds(Whole(configuration, "Delegation:AckTimeoutSeconds", 3600, 1, 7 * 24 * 3600)),
            MaxAttempts = Whole(configuration, "Delegation:MaxAttempts", 3, 1, 20),
            RetryBackoff = TimeSpan.FromSeconds(Whole(configuration, "Delegation:RetryBackoffSeconds", 60, 0, 24 * 3600)),
        };
    }

    /// <summary>A list setting: children (<c>Key:0</c>, <c>Key:1</c>…) or one comma-separated value; null when absent.</summary>
    internal static List<string?>? ReadList(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        return section.GetChildren().Select(c => c.Value).ToList() is { Count: > 0 } list
            ? list
            : section.Value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList<string?>();
    }

    private static DelegatorWebhookEndpoint? ReadWebhook(IConfiguration configuration)
    {
        var url = configuration["Delegation:DelegatorWebhook:Url"];
        var secret = configuration["Delegation:DelegatorWebhook:Secret"];
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (DeploymentEnvironment.IsDevelopment(configuration) && uri.Scheme == Uri.UriSchemeHttp)))
        {
            throw new InvalidOperationException("Configuration key 'Delegation:DelegatorWebhook:Url' must be an absolute https URL (http only in Development).");
        }

        var schedule = new DelegatorNotificationSchedule(
            Whole(configuration, "Delegation:DelegatorWebhook:MaxAttempts", 20, 1, 100),
            Whole(configuration, "Delegation:DelegatorWebhook:RetryFirstSeconds", 30, 1, 24 * 3600),
            Whole(configuration, "Delegation:DelegatorWebhook:RetryMaxSeconds", 3600, 1, 24 * 3600));
        return secret is { Length: >= 16 }
            ? new DelegatorWebhookEndpoint(uri, System.Text.Encoding.UTF8.GetBytes(secret)) { Schedule = schedule }
            : throw new InvalidOperationException("Configuration key 'Delegation:DelegatorWebhook:Secret' must be at least 16 characters when a webhook URL is set.");
    }

    private static int Whole(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        var value = configuration[key];
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new InvalidOperationException($"Configuration key '{key}' must be a whole number, {min}–{max}.");
    }
}
