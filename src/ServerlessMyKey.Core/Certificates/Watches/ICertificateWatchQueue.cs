namespace ServerlessMyKey.Core.Certificates.Watches;

/// <summary>
/// The work queue of the re-check (a Storage queue, <c>Certificates:WatchQueue</c>): at-least-once,
/// so every item is idempotent — a check page re-checks, a notification looks at the watch first.
/// </summary>
public interface ICertificateWatchQueue
{
    Task EnqueueAsync(WatchWorkItem item, CancellationToken cancellationToken = default);
}

/// <summary>
/// One item of work. <c>check</c>: the next page of the client's due watches in one shard (the first
/// hex digit of the watch id) after <see cref="After"/>. <c>notify</c>: tell the client's webhook that
/// watch <see cref="WatchId"/>'s certificate was revoked.
/// </summary>
public sealed record WatchWorkItem(string Kind, string ClientId, string? Shard = null, string? After = null, string? WatchId = null)
{
    public const string CheckKind = "check";
    public const string NotifyKind = "notify";

    public static WatchWorkItem Check(string clientId, char shard, string? after = null) => new(CheckKind, clientId, shard.ToString(), after);

    public static WatchWorkItem Notify(string clientId, string watchId) => new(NotifyKind, clientId, WatchId: watchId);
}
