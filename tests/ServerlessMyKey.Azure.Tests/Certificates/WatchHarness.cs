using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Azure.Certificates;
using ServerlessMyKey.Azure.Jpki;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Core.Certificates;
using ServerlessMyKey.Core.Certificates.Watches;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Certificates;

/// <summary>
/// Certificate watches as the app composes them (AddJpki, AddCertificateWatches) on the shared test
/// Azurite — own table and queue — with a development PKI whose CRLs are the revocation data, a
/// loopback webhook receiver, and a fake clock that starts now. <see cref="DrainAsync"/> plays the
/// queue trigger.
/// </summary>
public sealed class WatchHarness : IAsyncDisposable
{
    public const string Insurer = "insurer-a";
    public const string OtherInsurer = "insurer-b";
    public const string NoWebhook = "insurer-c";
    public const string Secret = "watch-webhook-secret-0123456789abcdef";

    public static readonly CardHolder Holder = new("山田\u3000花子", "東京都千代田区霞が関2-1-2", new DateOnly(1990, 4, 1), "female");

    private readonly ServiceProvider _services;
    private readonly string _pkiFolder;

    private WatchHarness(ServiceProvider services, QueueClient queue, string pkiFolder, DevelopmentPki pki, LoopbackWebhookReceiver receiver)
    {
        _services = services;
        Queue = queue;
        _pkiFolder = pkiFolder;
        Pki = pki;
        Receiver = receiver;
    }

    public FakeTimeProvider Clock => (FakeTimeProvider)_services.GetRequiredService<TimeProvider>();

    public DevelopmentPki Pki { get; }

    public LoopbackWebhookReceiver Receiver { get; }

    public QueueClient Queue { get; }

    public CertificateWatchService Watches => _services.GetRequiredService<CertificateWatchService>();

    public CertificateWatchRechecks Rechecks => _services.GetRequiredService<CertificateWatchRechecks>();

    public ICertificateWatchStore Store => _services.GetRequiredService<ICertificateWatchStore>();

    public static ServiceClient Client(string id) => new(id, new HashSet<string> { CertificateWatchRoles.Watch });

    /// <param name="withCrls">false: no revocation data at all (every check is revocation_unavailable).</param>
    public static async Task<WatchHarness> StartAsync(bool withCrls = true)
    {
        var pkiFolder = Directory.CreateTempSubdirectory("smk-watch-pki-").FullName;
        var pki = DevelopmentPki.LoadOrCreate(pkiFolder);
        var receiver = LoopbackWebhookReceiver.Start();
        var settings = new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Jpki:TrustAnchors:Authentication:0"] = pki.AuthenticationRootPath,
            ["Jpki:TrustAnchors:Signing:0"] = pki.SigningRootPath,
            [$"Clients:{Insurer}:WebhookUrl"] = new Uri(receiver.BaseAddress, "hooks/a").ToString(),
            [$"Clients:{Insurer}:WebhookSecret"] = Secret,
            [$"Clients:{OtherInsurer}:WebhookUrl"] = new Uri(receiver.BaseAddress, "hooks/b").ToString(),
            [$"Clients:{OtherInsurer}:WebhookSecret"] = Secret,
            ["Certificates:WatchQueue"] = AzuriteServer.UniqueName("watch"),
        };
        if (withCrls)
        {
            settings["Jpki:Revocation:CrlFiles:0"] = pki.AuthenticationCrlPath;
            settings["Jpki:Revocation:CrlFiles:1"] = pki.SigningCrlPath;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var connectionString = await AzuriteServer.GetConnectionStringAsync();
        var queues = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow))
            .AddSingleton(new TableServiceClient(connectionString))
            .AddSingleton(queues)
            .AddSingleton(new global::Azure.Storage.Blobs.BlobServiceClient(connectionString))
            .AddJpki(configuration)
            .AddSingleton<CertificateStatusService>()
            .AddCertificateWatches(configuration, AzuriteServer.UniqueName("t"))
            .BuildServiceProvider();
        return new WatchHarness(services, queues.GetQueueClient(configuration["Certificates:WatchQueue"]), pkiFolder, pki, receiver);
    }

    /// <summary>Makes the verifier read the CRLs again (after <see cref="DevelopmentPki.Revoke"/>).</summary>
    public Task RefreshCrlsAsync() => ((CrlRevocationChecker)_services.GetRequiredService<IRevocationChecker>()).RefreshAsync();

    /// <summary>Registers certificates for a client and returns the body of the answer.</summary>
    public async Task<WatchRegistrationResponse> RegisterAsync(string clientId, params byte[][] certificates)
    {
        var stored = await Watches.RegisterAsync(new WatchRegistrationRequest([.. certificates.Select(Convert.ToBase64String)]), null, Client(clientId));
        return System.Text.Json.JsonSerializer.Deserialize<WatchRegistrationResponse>(stored.Body, Core.Idempotency.ApiJsonOptions.Options)!;
    }

    /// <summary>
    /// Does what the queue trigger does until the queue is empty: each item run once; a failing item
    /// stays on the queue (returned in the count of failures) and is visible again for the next call.
    /// Items are leased for longer than any run takes: with a short lease a slow run (a loaded machine)
    /// saw its item come back and run again within the same drain, and its delete then failed.
    /// </summary>
    public async Task<int> DrainAsync()
    {
        var failed = new List<(string MessageId, string PopReceipt)>();
        while ((await Queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                try
                {
                    await Rechecks.RunAsync(StorageCertificateWatchQueue.Parse(message.Body.ToString()));
                    await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
                catch (HttpRequestException)
                {
                    failed.Add((message.MessageId, message.PopReceipt));
                }
            }
        }

        // The lease of a failed item ends now rather than when the trigger's visibility timeout would.
        foreach (var (messageId, popReceipt) in failed)
        {
            await Queue.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        return failed.Count;
    }

    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await _services.DisposeAsync();
        Directory.Delete(_pkiFolder, recursive: true);
    }
}
