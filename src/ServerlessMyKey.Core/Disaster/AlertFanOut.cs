using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// The queue-driven fan-out of an alert. <b>Plan</b>: writes a pending delivery row per targeted TV
/// (existing rows are kept, so a re-run plan resets nothing) and queues the undelivered TVs in batches.
/// <b>Deliver</b>: for each TV of a batch, takes the row from pending to sending (ETag: only one worker
/// sends), posts the personal message to the TV's platform webhook (signed, no redirects), and records
/// delivered, or retrying with exponential back-off, or failed after the last attempt (the poison path,
/// listed by <c>GET /api/disaster/alerts/{alertId}</c>). A delivered TV is never sent to again.
/// </summary>
public sealed class AlertFanOut(
    IAlertStore alerts,
    IDisasterRegistry registry,
    IAlertWorkQueue queue,
    ResidentNames names,
    TvPlatformWebhooks webhooks,
    DisasterOptions options,
    TimeProvider time,
    ILogger<AlertFanOut> logger)
{
    private const int ParallelSends = 16;

    /// <summary>How long after the lease a re-check becomes visible (clocks of workers differ a little).</summary>
    private static readonly TimeSpan RecheckMargin = TimeSpan.FromSeconds(1);

    /// <summary>Whether a delivery reached its TV or still may (a Cancel or Update must reach it too).</summary>
    public static bool ReachedOrMay(AlertDelivery delivery) =>
        delivery.State is not (DeliveryStates.Failed or DeliveryStates.Expired);

    public Task RunAsync(AlertWorkItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Kind switch
        {
            AlertWorkItem.Plan => PlanAsync(item.AlertId, cancellationToken),
            AlertWorkItem.Deliver => DeliverAsync(item.AlertId, item.Tvs(), cancellationToken),
            AlertWorkItem.Recheck => RecheckAsync(item.AlertId, item.Tvs(), item.LeaseId ?? string.Empty, cancellationToken),
            _ => throw new FormatException("Unknown alert work item kind."),
        };
    }

    public async Task PlanAsync(string alertId, CancellationToken cancellationToken = default)
    {
        var alert = await alerts.FindAlertAsync(alertId, cancellationToken);
        if (alert is null || alert.State != AlertStates.Delivering)
        {
            return;
        }

        var targets = new Dictionary<TvKey, AlertDelivery>();

        // A Cancel withdraws: it goes to the TVs the cancelled alerts reached (or may still reach), no other.
        foreach (var municipality in alert.MsgType == "Cancel" ? [] : alert.MunicipalityCodes)
        {
            foreach (var tv in await registry.ListTvsAsync(municipality, cancellationToken))
            {
                if (AlertInterpretation.Targets(alert.MunicipalityCodes, alert.DistrictCodes, tv.MunicipalityCode, tv.DistrictCode))
                {
                    targets[tv.Key] = Pending(alert.AlertId, tv.TvId, tv.PlatformId, tv.ResidentId, tv.MunicipalityCode, tv.DistrictCode);
                }
            }
        }

        foreach (var earlier in alert.References)
        {
            foreach (var reached in (await alerts.ListDeliveriesAsync(earlier, cancellationToken)).Where(ReachedOrMay))
            {
                targets.TryAdd(reached.Key, Pending(alert.AlertId, reached.TvId, reached.PlatformId, reached.ResidentId, reached.MunicipalityCode, reached.DistrictCode));
            }
        }

        await alerts.AddDeliveriesAsync(alert.AlertId, [.. targets.Values], cancellationToken);
        var deliveries = await alerts.ListDeliveriesAsync(alert.AlertId, cancellationToken);
        // Only the count: a Cancel or Update may have changed the state meanwhile.
        await alerts.SetAlertStateAsync(alert.AlertId, null, targets: deliveries.Count, cancellationToken: cancellationToken);
        foreach (var batch in AlertWorkItem.For(alert.AlertId, AlertWorkItem.Deliver, deliveries.Where(d => !DeliveryStates.IsFinal(d.State)).Select(d => d.Key), options.DeliveryBatchSize))
        {
            await queue.EnqueueAsync(batch, cancellationToken: cancellationToken);
        }

        logger.LogInformation("Alert {AlertId} planned for {Count} TVs", alert.AlertId, deliveries.Count);
    }

    public async Task DeliverAsync(string alertId, IReadOnlyList<TvKey> tvs, CancellationToken cancellationToken = default)
    {
        var alert = await alerts.FindAlertAsync(alertId, cancellationToken);
        if (alert is null || tvs.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var deliveries = (await alerts.FindDeliveriesAsync(alertId, tvs, cancellationToken)).Where(d => Leasable(d, now)).ToList();
        if (deliveries.Count == 0)
        {
            return;
        }

        // Before any TV of the batch becomes "sending": the re-check that finds it still sending once the lease is over
        // (this worker died mid-send) and queues the send again. A batch that finishes leaves it nothing to do.
        var lease = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        foreach (var recheck in AlertWorkItem.For(alertId, AlertWorkItem.Recheck, deliveries.Select(d => d.Key), deliveries.Count, lease))
        {
            await queue.EnqueueAsync(recheck, options.SendingLease + RecheckMargin, cancellationToken);
        }

        var retries = new ConcurrentBag<AlertDelivery>();
        var nameCache = new ConcurrentDictionary<string, Task<ResidentName?>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = ParallelSends, CancellationToken = cancellationToken }, async (delivery, ct) =>
        {
            if (await DeliverOneAsync(alert, delivery, lease, nameCache, ct) is { } retry)
            {
                retries.Add(retry);
            }
        });

        foreach (var group in retries.GroupBy(r => r.Attempts))
        {
            var delay = options.RetryBaseDelay * Math.Pow(2, group.Key - 1);
            foreach (var batch in AlertWorkItem.For(alertId, AlertWorkItem.Deliver, group.Select(r => r.Key), options.DeliveryBatchSize))
            {
                await queue.EnqueueAsync(batch, delay, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The re-check of a delivery batch's lease: the TVs still <c>sending</c> under <paramref name="leaseId"/> lost their
    /// worker mid-send, and their send is queued again once the lease is over (early, the re-check waits the rest).
    /// TVs that were delivered, retried or failed since have another state or lease: nothing is sent twice for them.
    /// </summary>
    public async Task RecheckAsync(string alertId, IReadOnlyList<TvKey> tvs, string leaseId, CancellationToken cancellationToken = default)
    {
        var stuck = (await alerts.FindDeliveriesAsync(alertId, tvs, cancellationToken))
            .Where(d => d.State == DeliveryStates.Sending && d.LeaseId == leaseId && leaseId.Length > 0)
            .ToList();
        if (stuck.Count == 0)
        {
            return;
        }

        var wait = stuck.Max(d => d.SendingSince ?? default) + options.SendingLease - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            foreach (var recheck in AlertWorkItem.For(alertId, AlertWorkItem.Recheck, stuck.Select(d => d.Key), stuck.Count, leaseId))
            {
                await queue.EnqueueAsync(recheck, wait + RecheckMargin, cancellationToken);
            }

            return;
        }

        logger.LogWarning("Alert {AlertId}: {Count} TVs were left sending by a worker that stopped; queued again", alertId, stuck.Count);
        foreach (var deliver in AlertWorkItem.For(alertId, AlertWorkItem.Deliver, stuck.Select(d => d.Key), stuck.Count))
        {
            await queue.EnqueueAsync(deliver, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Whether a worker may take the delivery to <c>sending</c> now (not final, not leased by a live worker).</summary>
    private bool Leasable(AlertDelivery delivery, DateTimeOffset now) =>
        !DeliveryStates.IsFinal(delivery.State)
        && !(delivery.State == DeliveryStates.Sending && delivery.SendingSince + options.SendingLease > now);

    /// <returns>The delivery when it should be tried again later.</returns>
    private async Task<AlertDelivery?> DeliverOneAsync(DisasterAlert alert, AlertDelivery delivery, string lease, ConcurrentDictionary<string, Task<ResidentName?>> nameCache, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!Leasable(delivery, now))
        {
            return null;
        }

        if (alert.State is AlertStates.Cancelled or AlertStates.Updated || (alert.Expires is { } expires && expires <= now))
        {
            // Withdrawn or over before it reached the TV: the later alert (or nothing) is what the TV should show.
            await alerts.TryUpdateDeliveryAsync(delivery with { State = DeliveryStates.Expired }, cancellationToken);
            return null;
        }

        var sending = await alerts.TryUpdateDeliveryAsync(delivery with { State = DeliveryStates.Sending, Attempts = delivery.Attempts + 1, SendingSince = now, LeaseId = lease }, cancellationToken);
        if (sending is null)
        {
            return null;
        }

        string? error;
        try
        {
            var name = await nameCache.GetOrAdd(delivery.MunicipalityCode + "|" + delivery.ResidentId, _ => NameOfAsync(delivery, cancellationToken));

            // A withdrawal still reaches a TV whose resident left it after the alert reached it (it still shows the alert):
            // without a linked resident it carries no name.
            if (name is null && alert.MsgType != "Cancel")
            {
                await RecordAsync(sending, d => d with { State = DeliveryStates.Expired, LastError = "resident_gone" }, cancellationToken);
                return null;
            }

            error = await webhooks.PostAsync(delivery.PlatformId, ApiJsonOptions.Serialize(Message(alert, delivery.TvId, name)), cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            error = ex.StatusCode is { } status ? "http_" + (int)status : "no_answer";
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = "timeout";
        }

        if (error is null)
        {
            await RecordAsync(sending, d => d with { State = DeliveryStates.Delivered, DeliveredAt = time.GetUtcNow(), LastError = null }, cancellationToken);
            return null;
        }

        var failed = sending.Attempts >= options.MaxDeliveryAttempts || error == TvPlatformWebhooks.NoWebhook;
        var next = sending with { State = failed ? DeliveryStates.Failed : DeliveryStates.Retrying, LastError = error };
        await RecordAsync(sending, d => d with { State = next.State, LastError = error }, cancellationToken);
        if (failed)
        {
            logger.LogWarning("Alert {AlertId} to TV {TvId} failed after {Attempts} attempts: {Error}", alert.AlertId, delivery.TvId, sending.Attempts, error);
            return null;
        }

        return next;
    }

    /// <summary>
    /// Writes the outcome of this worker's attempt. The row may have changed meanwhile in another field (the
    /// platform logged <c>alert_displayed</c> before answering): it is read again and the outcome applied to it,
    /// unless another worker has taken the delivery over.
    /// </summary>
    private async Task RecordAsync(AlertDelivery sending, Func<AlertDelivery, AlertDelivery> outcome, CancellationToken cancellationToken)
    {
        var current = sending;
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            if (await alerts.TryUpdateDeliveryAsync(outcome(current), cancellationToken) is not null)
            {
                return;
            }

            current = (await alerts.FindDeliveriesAsync(sending.AlertId, [sending.Key], cancellationToken)).SingleOrDefault();
            if (current is null || current.State != DeliveryStates.Sending || current.LeaseId != sending.LeaseId)
            {
                return;
            }
        }
    }

    private async Task<ResidentName?> NameOfAsync(AlertDelivery delivery, CancellationToken cancellationToken)
    {
        var tv = await registry.FindTvAsync(delivery.Key, cancellationToken);
        if (tv is null || tv.ResidentId != delivery.ResidentId)
        {
            return null;
        }

        var resident = await registry.FindResidentByMyKeyIdAsync(tv.MyKeyId, cancellationToken);
        return resident is null || resident.ResidentId != delivery.ResidentId
            ? null
            : await names.RevealAsync(resident.MunicipalityCode, resident.ResidentId, resident.ProtectedNames, cancellationToken);
    }

    /// <summary>The personal message: the resident's name, the level, the shelters, the expiry.</summary>
    /// <param name="name">The linked resident's names; <c>null</c> only for a cancel to a TV no resident is linked to any more (no name shown).</param>
    public static TvAlertMessage Message(DisasterAlert alert, string tvId, ResidentName? name)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var drill = alert.Exercise ? "【訓練】" : string.Empty;
        if (alert.MsgType == "Cancel")
        {
            var addressee = name is null ? string.Empty : name.DisplayName + "さん、";
            return new TvAlertMessage("cancel", alert.AlertId, tvId, $"{drill}{addressee}避難情報は解除されました。", null, [], alert.Expires, alert.Exercise, alert.References);
        }

        ArgumentNullException.ThrowIfNull(name);

        var level = alert.Level switch
        {
            3 => "【警戒レベル3】高齢者等避難。",
            4 => "【警戒レベル4】避難指示。",
            5 => "【警戒レベル5】緊急安全確保。",
            _ => string.Empty,
        };
        var shelters = alert.Shelters.Count > 0 ? "避難先: " + string.Join("、", alert.Shelters) + "。" : string.Empty;
        return new TvAlertMessage("alert", alert.AlertId, tvId, $"{drill}{name.DisplayName}さん、すぐ避難してください。{level}{shelters}", alert.Level, alert.Shelters,
            alert.Expires, alert.Exercise, alert.References.Count > 0 ? alert.References : null);
    }

    private static AlertDelivery Pending(string alertId, string tvId, string platformId, string residentId, string municipalityCode, string districtCode) =>
        new(alertId, tvId, platformId, residentId, municipalityCode, districtCode, DeliveryStates.Pending, 0, null, null, null, null);
}
