using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessMyKey.Azure.Documents;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Documents;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Mailbox;

namespace ServerlessMyKey.Azure.Mailbox;

public static class MailboxServiceCollectionExtensions
{
    public const string ContainerName = "mailbox-messages";

    /// <summary>
    /// The electronic mailbox: <c>Mailbox:FreshLoginSeconds</c>, the service, the read-receipt activity,
    /// Table Storage index and encrypted blobs. Read receipts go to the senders' webhooks (<see cref="Core.Security.ClientWebhooks"/>, registered with certificate watches).
    /// </summary>
    public static IServiceCollection AddMailbox(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var raw = configuration["Mailbox:FreshLoginSeconds"];
        var seconds = 300;
        if (raw is not null && (!int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seconds) || seconds is < 30 or > 3600))
        {
            throw new InvalidOperationException("Configuration key 'Mailbox:FreshLoginSeconds' must be a whole number, 30–3600.");
        }

        services.AddSingleton(new MailboxOptions(TimeSpan.FromSeconds(seconds)));
        services.TryAddSingleton<EnvelopeEncryption>();
        services.AddSingleton<IMailboxStore>(sp => new TableMailboxStore(
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "MailboxMessages"),
            new LazyTable(sp.GetRequiredService<TableServiceClient>(), tablePrefix + "MailboxDeliveries"),
            sp.GetRequiredService<EnvelopeEncryption>()));
        services.AddSingleton(sp =>
        {
            var blobs = new BlobDocuments(sp.GetRequiredService<BlobServiceClient>(), ContainerName);
            return new MailboxContents(new EncryptedDocuments(blobs, sp.GetRequiredService<EnvelopeEncryption>()), blobs);
        });
        services.AddSingleton<MailboxService>();
        services.AddTransient<TellSenderViewedActivity>();
        return services;
    }
}
