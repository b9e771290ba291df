using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Disaster.Cap;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// Receives CAP alerts from municipality staff: parses and checks them, stores every one, and hands
/// those that TVs receive (Actual; Exercise as a drill; Alert, Update and Cancel) to the queue-driven
/// fan-out. Update and Cancel name earlier alerts in <c>references</c>: those stop being delivered and
/// every TV they reached gets the update or the withdrawal.
/// </summary>
public sealed partial class AlertService(
    IAlertStore alerts,
    IDisasterRegistry registry,
    IAlertWorkQueue queue,
    IIdempotencyClaims claims,
    DisasterOptions options,
    TimeProvider time)
{
    /// <summary>Most per-TV deliveries <c>GET /api/disaster/alerts/{alertId}</c> lists (the counts cover all).</summary>
    public const int MaxListedDeliveries = 1000;

    public async Task<StoredResponse> SubmitAsync(byte[] capDocument, string? idempotencyKey, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(capDocument);
        ArgumentNullException.ThrowIfNull(caller);
        var cap = CapParser.Parse(capDocument);
        var meaning = AlertInterpretation.Of(cap, options.Municipalities);
        foreach (var municipality in meaning.MunicipalityCodes)
        {
            options.RequireStaffOf(caller, municipality);
        }

        var now = time.GetUtcNow();
        var referenced = await ReferencedAlertsAsync(cap, caller, cancellationToken);
        var delivers = cap.Status is "Actual" or "Exercise" && cap.MsgType is "Alert" or "Update" or "Cancel";
        if (delivers && cap.MsgType != "Cancel" && meaning.MunicipalityCodes.Count > 0 && meaning.Level is null)
        {
            throw new ServiceException(ErrorCodes.InvalidCap, "CAP element alert/info[1]/parameter: an alert to TVs needs the parameter EvacuationLevel (3–5).");
        }

        var idempotency = await claims.ClaimIfKeyedAsync("disaster.alerts", caller.ClientId, idempotencyKey, Convert.ToBase64String(SHA256.HashData(capDocument)), cancellationToken);
        var alertId = idempotency is null ? "a-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) : "a-" + idempotency.KeyHash[..24];
        if (idempotency is not null && await alerts.FindSubmissionResponseAsync(alertId, idempotency.KeyHash, cancellationToken) is { } stored)
        {
            var replay = stored.ReplayFor(idempotency);
            if (await alerts.FindAlertAsync(alertId, cancellationToken) is { State: AlertStates.Delivering })
            {
                // The first request may have stopped before queueing its plan; planning twice does nothing twice.
                await queue.EnqueueAsync(new AlertWorkItem(alertId, AlertWorkItem.Plan), cancellationToken: cancellationToken);
            }

            return replay;
        }

        var state = !delivers || (meaning.MunicipalityCodes.Count == 0 && referenced.Count == 0) ? AlertStates.Stored
            : meaning.Expires is { } expires && expires <= now ? AlertStates.Expired
            : AlertStates.Delivering;
        var targets = state == AlertStates.Delivering ? await CountTargetsAsync(meaning, cap.MsgType == "Cancel", referenced, cancellationToken) : 0;
        var alert = new DisasterAlert(alertId, cap.Identifier, cap.Sender, cap.Sent, cap.Status, cap.MsgType, meaning.MunicipalityCodes, meaning.DistrictTargets,
            [.. referenced.Select(r => r.AlertId)], meaning.Level, meaning.Shelters, meaning.Expires, cap.Status == "Exercise", state, targets,
            caller.ClientId, now, capDocument);
        var response = new StoredResponse(202, idempotency?.RequestHash ?? string.Empty, ApiJsonOptions.Serialize(new AlertAccepted(alertId, state, targets)));

        if (await alerts.FindAlertIdByCapAsync(cap.Sender, cap.Identifier, cap.Sent, cancellationToken) is { } existing && existing != alertId)
        {
            throw new ServiceException(ErrorCodes.AlreadyExists, $"This CAP alert (sender, identifier, sent) was received before as {existing}.");
        }

        if (!await alerts.TryIndexCapAsync(alert, cancellationToken))
        {
            throw new ServiceException(ErrorCodes.AlreadyExists, "This CAP alert (sender, identifier, sent) was received before.");
        }

        if (!await alerts.TryAddAlertAsync(alert, idempotency is null ? null : new IdempotentWrite(idempotency.KeyHash, response), cancellationToken))
        {
            return idempotency is not null && await alerts.FindSubmissionResponseAsync(alertId, idempotency.KeyHash, cancellationToken) is { } raced
                ? raced.ReplayFor(idempotency)
                : throw new ServiceException(ErrorCodes.Conflict, "The alert is being stored by another request; retry.");
        }

        if (delivers)
        {
            foreach (var earlier in referenced)
            {
                await alerts.SetAlertStateAsync(earlier.AlertId, cap.MsgType == "Cancel" ? AlertStates.Cancelled : AlertStates.Updated, replacedBy: alertId, cancellationToken: cancellationToken);
            }
        }

        if (state == AlertStates.Delivering)
        {
            await queue.EnqueueAsync(new AlertWorkItem(alertId, AlertWorkItem.Plan), cancellationToken: cancellationToken);
        }

        return response;
    }

    /// <summary>The alert's status and delivery counts, for staff of one of its municipalities (or its sender).</summary>
    public async Task<AlertStatusView> GetStatusAsync(string alertId, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var alert = await RequireAlertAsync(alertId, caller, cancellationToken);
        var deliveries = await alerts.ListDeliveriesAsync(alert.AlertId, cancellationToken);
        var counts = new AlertCounts(
            Math.Max(alert.Targets, deliveries.Count),
            deliveries.Count(d => d.State is DeliveryStates.Pending or DeliveryStates.Sending),
            deliveries.Count(d => d.State == DeliveryStates.Retrying),
            deliveries.Count(d => d.State == DeliveryStates.Delivered),
            deliveries.Count(d => d.State == DeliveryStates.Failed),
            deliveries.Count(d => d.DisplayedAt is not null),
            deliveries.Count(d => d.State == DeliveryStates.Expired));
        var status = alert.State == AlertStates.Delivering && deliveries.Count >= alert.Targets && deliveries.All(d => DeliveryStates.IsFinal(d.State))
            ? AlertStates.Delivered
            : alert.State;
        // Each TV is listed to its own municipality's staff (and to the sender, who was staff of every targeted one, or admin):
        // staff of one municipality of a wider alert see the counts, not the other municipalities' TVs.
        var mine = options.MunicipalitiesOf(caller);
        IReadOnlyList<AlertDelivery> listed = alert.SubmittedBy == caller.ClientId ? deliveries : [.. deliveries.Where(d => mine.Contains(d.MunicipalityCode))];
        return new AlertStatusView(alert.AlertId, alert.Identifier, alert.Sender, alert.Sent, alert.CapStatus, alert.MsgType, status, alert.Exercise, alert.Level,
            alert.Shelters, alert.Expires, alert.MunicipalityCodes, alert.References, alert.ReplacedBy, counts,
            [.. listed.Where(d => d.State == DeliveryStates.Failed).Take(100).Select(d => new DeliveryFailure(d.TvId, d.PlatformId, d.Attempts, d.LastError))],
            alert.ReceivedAt,
            [.. listed.OrderBy(d => d.TvId, StringComparer.Ordinal).ThenBy(d => d.PlatformId, StringComparer.Ordinal).Take(MaxListedDeliveries)
                .Select(d => new DeliveryView(d.TvId, d.PlatformId, d.State, d.Attempts, d.LastError, d.DeliveredAt, d.DisplayedAt))],
            listed.Count > MaxListedDeliveries);
    }

    /// <summary>The alert when the caller may see it: staff of one of its municipalities, its sender, or admin.</summary>
    public async Task<DisasterAlert> RequireAlertAsync(string alertId, ServiceClient caller, CancellationToken cancellationToken)
    {
        var alert = IsAlertId(alertId) ? await alerts.FindAlertAsync(alertId, cancellationToken) : null;
        var mine = options.MunicipalitiesOf(caller);
        if (alert is null || !(alert.SubmittedBy == caller.ClientId || caller.HasRole(ServiceRoles.Admin) || alert.MunicipalityCodes.Any(mine.Contains)))
        {
            throw new ServiceException(ErrorCodes.AlertNotFound);
        }

        return alert;
    }

    private async Task<List<DisasterAlert>> ReferencedAlertsAsync(CapAlert cap, ServiceClient caller, CancellationToken cancellationToken)
    {
        var found = new List<DisasterAlert>();
        if (cap.MsgType is not ("Update" or "Cancel"))
        {
            return found;
        }

        foreach (var reference in cap.References)
        {
            var id = await alerts.FindAlertIdByCapAsync(reference.Sender, reference.Identifier, reference.Sent, cancellationToken);
            var alert = id is null ? null : await alerts.FindAlertAsync(id, cancellationToken);
            if (alert is null)
            {
                continue;
            }

            // Bound to whoever could send the original: staff of every municipality it targets, or, when it
            // targets none, the client that sent it (an admin client may act for any).
            if (alert.MunicipalityCodes.Count == 0 && alert.SubmittedBy != caller.ClientId && !caller.HasRole(ServiceRoles.Admin))
            {
                throw new ServiceException(ErrorCodes.Forbidden, "Only the client that sent an alert targeting no municipality may update or cancel it.");
            }

            foreach (var municipality in alert.MunicipalityCodes)
            {
                options.RequireStaffOf(caller, municipality);
            }

            found.Add(alert);
        }

        return found.Count > 0 || cap.Status is not ("Actual" or "Exercise")
            ? found
            : throw new ServiceException(ErrorCodes.ReferencedAlertNotFound, $"None of the {cap.References.Count} referenced alerts is stored here.");
    }

    private async Task<int> CountTargetsAsync(AlertInterpretation meaning, bool cancels, List<DisasterAlert> referenced, CancellationToken cancellationToken)
    {
        var tvs = new HashSet<TvKey>();
        foreach (var municipality in cancels ? [] : meaning.MunicipalityCodes)
        {
            foreach (var tv in await registry.ListTvsAsync(municipality, cancellationToken))
            {
                if (AlertInterpretation.Targets(meaning.MunicipalityCodes, meaning.DistrictTargets, tv.MunicipalityCode, tv.DistrictCode))
                {
                    tvs.Add(tv.Key);
                }
            }
        }

        foreach (var earlier in referenced)
        {
            foreach (var delivery in await alerts.ListDeliveriesAsync(earlier.AlertId, cancellationToken))
            {
                if (AlertFanOut.ReachedOrMay(delivery))
                {
                    tvs.Add(delivery.Key);
                }
            }
        }

        return tvs.Count;
    }

    /// <summary>Whether the text has the form of an alert id (<c>a-</c> and 24 hex digits).</summary>
    public static bool IsAlertId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) => value is not null && AlertIdPattern().IsMatch(value);

    [GeneratedRegex(@"\Aa-[0-9a-f]{24}\z")]
    private static partial Regex AlertIdPattern();
}
