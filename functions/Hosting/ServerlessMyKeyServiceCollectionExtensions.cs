using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure;
using ServerlessMyKey.Azure.Certificates;
using ServerlessMyKey.Azure.Childcare;
using ServerlessMyKey.Azure.Mailbox;
using ServerlessMyKey.Azure.Disaster;
using ServerlessMyKey.Azure.Jpki;
using ServerlessMyKey.Azure.Operations;
using ServerlessMyKey.Azure.Medical;
using ServerlessMyKey.Azure.Auth;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;

namespace ServerlessMyKey.Functions.Hosting;

/// <summary>
/// The one composition root of the application services, called by <c>Program.cs</c> (Functions
/// host) and by the DevHost alike, so both hosts run the same container.
/// </summary>
public static class ServerlessMyKeyServiceCollectionExtensions
{
    public static IServiceCollection AddServerlessMyKey(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddSingleton(TimeProvider.System);
        services.AddStorage(configuration);
        services.AddServiceKeys(configuration);
        services.AddOutboundMessaging(configuration);
        services.AddRequestAuthenticators(configuration);
        services.AddJpki(configuration);
        services.AddLogin(configuration);
        services.AddRateLimits(configuration);
        services.AddSignatures(configuration);
        services.AddCertificateStatus();
        services.AddCertificateStatusJobs(configuration);
        services.AddCertificateWatches(configuration);
        services.AddPoints(configuration);
        services.AddFacilities();
        services.AddDelegation(configuration);
        services.AddOperations(configuration);
        services.AddMailbox(configuration);
        services.AddChildcare(configuration);
        services.AddDisaster(configuration);
        services.AddMedical(configuration);
        services.AddOidc(configuration);
        services.AddTickets();
        return services;
    }

    /// <summary>Service-client API keys (<c>Clients:*</c>) and webhook secrets (<c>Webhooks:*</c>).</summary>
    public static IServiceCollection AddRequestAuthenticators(this IServiceCollection services, IConfiguration configuration)
    {
        var clients = configuration.GetSection("Clients").GetChildren()
            .Select(c => new ServiceClientRegistration(
                c.Key,
                c["ApiKey"] ?? string.Empty,
                (c["Roles"] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            .ToList();
        var webhooks = configuration.GetSection("Webhooks").GetChildren()
            .Select(w => new WebhookSourceRegistration(w.Key, w["Secret"] ?? string.Empty))
            .ToList();

        // Validated here, so that a bad or unresolved secret fails at start-up naming its setting.
        services.AddSingleton(new ServiceClientAuthenticator(clients));
        _ = new WebhookAuthenticator(webhooks, TimeProvider.System);
        services.AddSingleton<IWebhookReplayGuard, TableWebhookReplayGuard>();
        services.AddSingleton(sp => new WebhookAuthenticator(webhooks, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IWebhookReplayGuard>()));
        return services;
    }
}
