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

        // The residents' names (encrypted) go into their deliveries: one query of each municipality's residents here
        // instead of three reads per TV when sending. A resident gone since has none, and is not sent to.
        var names = new Dictionary<(string, string), byte[]>();
        foreach (var municipality in targets.Values.Select(t => t.MunicipalityCode).Distinct(StringComparer.Ordinal))
        {
            foreach (var resident in await registry.ListResidentsAsync(municipality, cancellationToken))
            {
                names[(municipality, resident.ResidentId)] = resident.ProtectedNames;
            }
        }

        await alerts.AddDeliveriesAsync(alert.AlertId, [.. targets.Values.Select(t => t with { ProtectedNames = names.GetValueOrDefault((t.MunicipalityCode, t.ResidentId)) })], cancellationToken);
        var deliveries = await alerts.ListDeliveriesAsync(alert.AlertId, cancellationToken);
        // Only the count: a Cancel or Update may have changed the state meanwhile.
        await alerts.SetAlertStateAsync(alert.AlertId, null, targets: deliveries.Count, cancellationToken: cancellationToken);

        // Batches are runs of TV keys in row-key order, so that a batch reads its rows with one range query.
        var batches = AlertWorkItem.For(alert.AlertId, AlertWorkItem.Deliver, InKeyOrder(deliveries.Where(d => !DeliveryStates.IsFinal(d.State))), options.DeliveryBatchSize);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (batch, ct) =>
            await queue.EnqueueAsync(batch, cancellationToken: ct));
        logger.LogInformation("Alert {AlertId} planned for {Count} TVs", alert.AlertId, deliveries.Count);
    }

    /// <summary>
    /// Delivers a batch, with Table requests per batch rather than per TV: one range query for the deliveries, one for
    /// the TVs' links, a transaction that leases them all (per row only when it conflicts), the sends in parallel, and a
    /// transaction that records the outcomes.
    /// </summary>
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

        if (alert.State is AlertStates.Cancelled or AlertStates.Updated || (alert.Expires is { } expires && expires <= now))
        {
            // Withdrawn or over before it reached the TVs: the later alert (or nothing) is what they should show.
            await alerts.TryUpdateDeliveriesAsync([.. deliveries.Select(d => d with { State = DeliveryStates.Expired })], cancellationToken);
            return;
        }

        // A TV unlinked (or linked to someone else) since the plan, or a resident gone, is not sent to.
        var linked = new HashSet<TvKey>();
        foreach (var municipality in deliveries.GroupBy(d => d.MunicipalityCode, StringComparer.Ordinal))
        {
            var residentOf = municipality.ToDictionary(d => d.Key, d => d.ResidentId);
            foreach (var link in await registry.FindTvsAsync(municipality.Key, residentOf.Keys, cancellationToken))
            {
                if (residentOf[link.Key] == link.ResidentId)
                {
                    linked.Add(link.Key);
                }
            }
        }

        var gone = deliveries.Where(d => !linked.Contains(d.Key) || d.ProtectedNames is null).ToList();
        if (gone.Count > 0)
        {
            await alerts.TryUpdateDeliveriesAsync([.. gone.Select(d => d with { State = DeliveryStates.Expired, LastError = "resident_gone" })], cancellationToken);
        }

        var sendable = deliveries.Except(gone).ToList();
        if (sendable.Count == 0)
        {
            return;
        }

        // Before any TV of the batch becomes "sending": the re-check that finds it still sending once the lease is over
        // (this worker died mid-send) and queues the send again. A batch that finishes leaves it nothing to do.
        var lease = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        foreach (var recheck in AlertWorkItem.For(alertId, AlertWorkItem.Recheck, sendable.Select(d => d.Key), sendable.Count, lease))
        {
            await queue.EnqueueAsync(recheck, options.SendingLease + RecheckMargin, cancellationToken);
        }

        var leased = await LeaseAsync(sendable, lease, now, cancellationToken);
        var outcomes = new ConcurrentBag<(AlertDelivery Sending, AlertDelivery Outcome)>();
        await Parallel.ForEachAsync(leased, new ParallelOptions { MaxDegreeOfParallelism = ParallelSends, CancellationToken = cancellationToken }, async (sending, ct) =>
            outcomes.Add((sending, Outcome(sending, await SendAsync(alert, sending, ct)))));

        // The outcomes in transactions under the lease's ETags; a row changed meanwhile (a display logged) is read again.
        var recorded = (await alerts.TryUpdateDeliveriesAsync([.. outcomes.Select(o => o.Outcome)], cancellationToken)).Select(d => d.Key).ToHashSet();
        foreach (var (sending, outcome) in outcomes.Where(o => !recorded.Contains(o.Sending.Key)))
        {
            await RecordAsync(sending, d => d with { State = outcome.State, LastError = outcome.LastError, DeliveredAt = outcome.DeliveredAt ?? d.DeliveredAt }, cancellationToken);
        }

        foreach (var failed in outcomes.Select(o => o.Outcome).Where(o => o.State == DeliveryStates.Failed))
        {
            logger.LogWarning("Alert {AlertId} to TV {TvId} failed after {Attempts} attempts: {Error}", alert.AlertId, failed.TvId, failed.Attempts, failed.LastError);
        }

        foreach (var group in outcomes.Select(o => o.Outcome).Where(o => o.State == DeliveryStates.Retrying).GroupBy(r => r.Attempts))
        {
            var delay = options.RetryBaseDelay * Math.Pow(2, group.Key - 1);
            foreach (var batch in AlertWorkItem.For(alertId, AlertWorkItem.Deliver, InKeyOrder(group), options.DeliveryBatchSize))
            {
                await queue.EnqueueAsync(batch, delay, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Takes the deliveries to <c>sending</c> under the lease (a transaction per 100). A row whose ETag changed since it
    /// was read is read again: taken by another worker (sending, or final) it is left to it; changed otherwise (a
    /// display logged) it is leased again.
    /// </summary>
    private async Task<List<AlertDelivery>> LeaseAsync(IReadOnlyList<AlertDelivery> deliveries, string lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var leased = new List<AlertDelivery>(deliveries.Count);
        var pending = deliveries;
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts && pending.Count > 0; attempt++)
        {
            leased.AddRange(await alerts.TryUpdateDeliveriesAsync(
                [.. pending.Select(d => d with { State = DeliveryStates.Sending, Attempts = d.Attempts + 1, SendingSince = now, LeaseId = lease })], cancellationToken));
            var missing = pending.Select(d => d.Key).Except(leased.Select(d => d.Key)).ToList();
            pending = missing.Count == 0 ? [] : [.. (await alerts.FindDeliveriesAsync(pending[0].AlertId, missing, cancellationToken)).Where(d => Leasable(d, now) && d.State != DeliveryStates.Sending)];
        }

        return leased;
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

    /// <summary>Posts the TV's personal message: <c>null</c> when the platform took it, else the error.</summary>
    private async Task<string?> SendAsync(DisasterAlert alert, AlertDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            var name = await names.RevealAsync(delivery.MunicipalityCode, delivery.ResidentId, delivery.ProtectedNames!, cancellationToken);
            return await webhooks.PostAsync(delivery.PlatformId, ApiJsonOptions.Serialize(Message(alert, delivery.TvId, name)), cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return ex.StatusCode is { } status ? "http_" + (int)status : "no_answer";
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
    }

    /// <summary>Delivered; or retrying, or failed after the last attempt (or without a webhook: the poison path).</summary>
    private AlertDelivery Outcome(AlertDelivery sending, string? error) =>
        error is null ? sending with { State = DeliveryStates.Delivered, DeliveredAt = time.GetUtcNow(), LastError = null }
        : sending with
        {
            State = sending.Attempts >= options.MaxDeliveryAttempts || error == TvPlatformWebhooks.NoWebhook ? DeliveryStates.Failed : DeliveryStates.Retrying,
            LastError = error,
        };

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

    /// <summary>The personal message: the resident's name, the level, the shelters, the expiry.</summary>
    public static TvAlertMessage Message(DisasterAlert alert, string tvId, ResidentName name)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(name);
        var drill = alert.Exercise ? "【訓練】" : string.Empty;
        if (alert.MsgType == "Cancel")
        {
            return new TvAlertMessage("cancel", alert.AlertId, tvId, $"{drill}{name.DisplayName}さん、避難情報は解除されました。", null, [], alert.Expires, alert.Exercise, alert.References);
        }

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

    /// <summary>The TVs of the deliveries in row-key order (a batch cut from it is one range of the alert's partition).</summary>
    private static IEnumerable<TvKey> InKeyOrder(IEnumerable<AlertDelivery> deliveries) =>
        deliveries.Select(d => d.Key).OrderBy(k => k.ToString(), StringComparer.Ordinal);

    private static AlertDelivery Pending(string alertId, string tvId, string platformId, string residentId, string municipalityCode, string districtCode) =>
        new(alertId, tvId, platformId, residentId, municipalityCode, districtCode, DeliveryStates.Pending, 0, null, null, null, null);
}
