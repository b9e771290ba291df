using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Certificates.Watches;

/// <summary>
/// The re-check of watched certificates, split so that it scales: a run queues one <c>check</c> item
/// per client and shard (16 shards: the first hex digit of the random watch id); each item checks one
/// page of due watches, writes what changed, queues a <c>notify</c> item per revoked watch whose
/// webhook is still owed, and queues the next page. Items run in parallel across clients and shards
/// (bounded by the queue trigger's batch size), and every item can run twice with one effect.
/// Revocation data unavailable: the watch keeps its status and is checked again next run.
/// </summary>
public sealed class CertificateWatchRechecks(
    ICertificateWatchStore store,
    ICertificateWatchQueue queue,
    CertificateStatusService status,
    ClientWebhooks webhooks,
    TimeProvider time,
    ILogger<CertificateWatchRechecks> logger)
{
    public const int PageSize = 100;
    public const string Shards = "0123456789abcdef";

    /// <summary>Starts a run: one check item per client with a webhook and shard. Watches of clients without one are not checked.</summary>
    public async Task<int> StartRunAsync(CancellationToken cancellationToken = default)
    {
        var clients = webhooks.ClientIds.ToList();
        foreach (var clientId in clients)
        {
            foreach (var shard in Shards)
            {
                await queue.EnqueueAsync(WatchWorkItem.Check(clientId, shard), cancellationToken);
            }
        }

        logger.LogInformation("Certificate watch re-check started for {ClientCount} clients", clients.Count);
        return clients.Count;
    }

    /// <summary>Does one queued item.</summary>
    /// <exception cref="FormatException">The item is not one this version writes (it goes to the poison queue).</exception>
    public Task RunAsync(WatchWorkItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item switch
        {
            { Kind: WatchWorkItem.CheckKind, Shard: [var shard] } when Shards.Contains(shard, StringComparison.Ordinal) && (item.After is null || CertificateWatchService.IsWatchId(item.After))
                => CheckPageAsync(item.ClientId, shard, item.After, cancellationToken),
            { Kind: WatchWorkItem.NotifyKind, WatchId: { } watchId } when CertificateWatchService.IsWatchId(watchId)
                => NotifyAsync(item.ClientId, watchId, cancellationToken),
            _ => throw new FormatException("Not a certificate watch work item."),
        };
    }

    /// <summary>Checks one page of a client's due watches in a shard and queues what follows from it.</summary>
    public async Task<RecheckReport> CheckPageAsync(string clientId, char shard, string? after, CancellationToken cancellationToken = default)
    {
        var page = await store.ListDueAsync(clientId, shard, after, PageSize, cancellationToken);
        var active = page.Watches.Where(w => w.State == WatchState.Active).ToList();
        var statuses = await status.CheckManyAsync([.. active.Select(w => w.Certificate)], cancellationToken);
        var changed = new List<CertificateWatch>();
        var unavailable = 0;
        for (var i = 0; i < active.Count; i++)
        {
            if (Next(active[i], statuses[i]) is { } next)
            {
                changed.Add(next);
            }
            else
            {
                unavailable++;
            }
        }

        var written = await store.UpdateAsync(clientId, changed, cancellationToken);

        // Owed: revoked on this run, or on an earlier run whose webhook never got a 2xx.
        var owed = written.Where(w => w.NotificationPending)
            .Concat(page.Watches.Where(w => w.State == WatchState.Revoked && w.NotificationPending))
            .ToList();
        foreach (var watch in owed)
        {
            await queue.EnqueueAsync(WatchWorkItem.Notify(clientId, watch.WatchId), cancellationToken);
        }

        if (page.Next is not null)
        {
            await queue.EnqueueAsync(WatchWorkItem.Check(clientId, shard, page.Next), cancellationToken);
        }

        var report = new RecheckReport(page.Watches.Count, written.Count(w => w.State == WatchState.Revoked), written.Count(w => w.State == WatchState.Expired), unavailable, owed.Count);
        if (report.Watches > 0)
        {
            logger.LogInformation(
                "Certificate watches of {ClientId} shard {Shard}: {Watches} due, {Revoked} newly revoked, {Expired} newly expired, {Unavailable} without revocation data, {Owed} notifications queued",
                clientId, shard, report.Watches, report.Revoked, report.Expired, report.Unavailable, report.Owed);
        }

        return report;
    }

    /// <summary>
    /// Tells the client's webhook of a revocation, once it is owed: a deleted or already told watch is
    /// skipped. Marked told only after a 2xx, so a failure throws and the queue delivers again (and,
    /// past its dequeue limit, the next run queues it anew). Receivers de-duplicate on <c>eventId</c>.
    /// </summary>
    public async Task NotifyAsync(string clientId, string watchId, CancellationToken cancellationToken = default)
    {
        if (await store.FindAsync(clientId, watchId, cancellationToken) is not { State: WatchState.Revoked, NotificationPending: true } watch)
        {
            return;
        }

        var body = ApiJsonOptions.Serialize(new CertificateRevokedEvent(
            CertificateWatch.RevokedEvent, watch.RevokedEventId, watch.WatchId, watch.SerialNumber, watch.Issuer, watch.Kind, watch.Status.RevokedAt, watch.Status.Reason, watch.Status.CheckedAt));
        if (!await webhooks.PostAsync(clientId, body, cancellationToken))
        {
            logger.LogWarning("Client {ClientId} has no webhook any more; watch {WatchId} stays owed", clientId, watchId);
            return;
        }

        await store.UpdateAsync(clientId, [watch with { NotificationPending = false, NotifiedAt = time.GetUtcNow() }], cancellationToken);
        logger.LogInformation("Told client {ClientId} that the certificate of watch {WatchId} (serial {SerialNumber}) was revoked", clientId, watchId, watch.SerialNumber);
    }

    /// <summary>The watch after a check, or <c>null</c> when the status could not be determined (it stays as it is).</summary>
    private static CertificateWatch? Next(CertificateWatch watch, CertificateStatusView checkedStatus) => checkedStatus.Status switch
    {
        "revoked" => watch with { State = WatchState.Revoked, Status = checkedStatus, NotificationPending = true },
        "expired" => watch with { State = WatchState.Expired, Status = checkedStatus },
        "good" => watch with { Status = checkedStatus },
        _ => null,
    };
}

/// <summary>What one page of the re-check did (counts only).</summary>
public sealed record RecheckReport(int Watches, int Revoked, int Expired, int Unavailable, int Owed);

/// <summary>
/// The <c>certificate.revoked</c> webhook body: ids, the issuer and serial number, the reason and
/// time of revocation — no subject, no 基本4情報.
/// </summary>
public sealed record CertificateRevokedEvent(
    string Event,
    string EventId,
    string WatchId,
    string SerialNumber,
    string Issuer,
    string? Kind,
    DateTimeOffset? RevokedAt,
    string? Reason,
    DateTimeOffset CheckedAt);
