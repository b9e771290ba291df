using ServerlessMyKey.Testing;

namespace ServerlessMyKey.EndToEnd.Tests.Certificates;

/// <summary>
/// The real app in a DevHost with insurers that have a webhook (a loopback receiver), one without,
/// one without the role; the re-check timer every 5 seconds on a queue of its own.
/// </summary>
public sealed class WatchApiFixture : DevHostFixture, IDisposable
{
    public const string InsurerKey = "e2e-watch-insurer-key-00000000000";
    public const string OtherInsurerKey = "e2e-watch-other-insurer-key-00000";
    public const string NoWebhookKey = "e2e-watch-no-webhook-key-000000000";
    public const string NoRoleKey = "e2e-watch-no-role-key-00000000000";
    public const string Secret = "e2e-watch-webhook-secret-0123456789abcdef";

    public LoopbackWebhookReceiver Receiver { get; } = LoopbackWebhookReceiver.Start();

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Clients:e2e-watch-insurer:ApiKey"] = InsurerKey,
        ["Clients:e2e-watch-insurer:Roles"] = "certificates.status",
        ["Clients:e2e-watch-insurer:WebhookUrl"] = new Uri(Receiver.BaseAddress, "hooks/insurer").ToString(),
        ["Clients:e2e-watch-insurer:WebhookSecret"] = Secret,
        ["Clients:e2e-watch-other:ApiKey"] = OtherInsurerKey,
        ["Clients:e2e-watch-other:Roles"] = "certificates.status",
        ["Clients:e2e-watch-other:WebhookUrl"] = new Uri(Receiver.BaseAddress, "hooks/other").ToString(),
        ["Clients:e2e-watch-other:WebhookSecret"] = Secret,
        ["Clients:e2e-watch-nohook:ApiKey"] = NoWebhookKey,
        ["Clients:e2e-watch-nohook:Roles"] = "certificates.status",
        ["Clients:e2e-watch-norole:ApiKey"] = NoRoleKey,
        ["Clients:e2e-watch-norole:Roles"] = "points.read",
        ["Certificates:WatchSchedule"] = "*/5 * * * * *",
        ["Certificates:WatchQueue"] = AzuriteServer.UniqueName("e2e-watch"),
    };

    public void Dispose() => Receiver.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
