using ServerlessMyKey.Core.Errors;
using static ServerlessMyKey.Core.Validation.RequestFields;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// TV operation logs posted by a platform's signed webhook: 1–1,000 events a request, idempotent per
/// event id, stored by TV and day. Events of TVs that are not linked through this platform are counted
/// and dropped; <c>alert_displayed</c> events mark the alert's delivery as displayed.
/// </summary>
public sealed class OperationLogService(IOperationLogStore logs, ITvDayStore days, KnownTvs knownTvs, IAlertStore alerts, TimeProvider time)
{
    public const int MaxEvents = 1000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);
    private static readonly TimeSpan MaxAhead = TimeSpan.FromMinutes(5);

    public async Task<TvEventsAccepted> IngestAsync(string platformId, TvEventBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Events is not { Count: > 0 and <= MaxEvents })
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"events must hold 1–{MaxEvents} events.");
        }

        var now = time.GetUtcNow();
        var events = new List<TvEvent>(batch.Events.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var repeated = 0;
        for (var i = 0; i < batch.Events.Count; i++)
        {
            var e = batch.Events[i] ?? throw new ServiceException(ErrorCodes.InvalidRequest, $"events[{i}] is null.");
            var parsed = new TvEvent(
                RequireId(e.EventId, $"events[{i}].eventId"),
                RequireId(e.TvId, $"events[{i}].tvId"),
                platformId,
                e.Type is not null && TvEventTypes.All.Contains(e.Type) ? e.Type : throw new ServiceException(ErrorCodes.InvalidRequest, $"events[{i}].type must be one of {string.Join(", ", TvEventTypes.All)}."),
                e.At >= now - MaxAge && e.At <= now + MaxAhead ? e.At.ToUniversalTime() : throw new ServiceException(ErrorCodes.InvalidRequest, $"events[{i}].at must be within the last 7 days."),
                e.Channel is null ? null : RequireText(e.Channel, $"events[{i}].channel", 32),
                e.AlertId is null ? null : AlertService.IsAlertId(e.AlertId) ? e.AlertId : throw new ServiceException(ErrorCodes.InvalidRequest, $"events[{i}].alertId is not an alert id."));
            // An event id is stored once per TV (its partition): the same id of another TV is another event.
            if (seen.Add(parsed.TvId + "\n" + parsed.EventId))
            {
                events.Add(parsed);
            }
            else
            {
                repeated++;
            }
        }

        // Only this platform's TVs: the key holds the platform, so another platform's TV of the same id is another TV.
        var known = await knownTvs.FindManyAsync(platformId, [.. events.Select(e => e.Key).Distinct()], cancellationToken);

        var accepted = events.Where(e => known.ContainsKey(e.Key)).ToList();
        var (stored, duplicates, inLog) = accepted.Count == 0 ? (0, 0, []) : await logs.AppendAsync(accepted, cancellationToken);

        // The days' summary after the log (a failure here fails the request; the platform's retry finds the events
        // in the log with the same type and time, and completes the summary).
        foreach (var municipality in inLog.GroupBy(e => known[e.Key].MunicipalityCode, StringComparer.Ordinal))
        {
            await days.MergeAsync(municipality.Key, [.. municipality], cancellationToken);
        }

        // Only the events as the log holds them: a replayed id with another time or alert is a duplicate, and marks nothing.
        await alerts.MarkDisplayedAsync([.. inLog.Where(e => e.Type == TvEventTypes.AlertDisplayed && e.AlertId is not null).Select(e => new AlertDisplay(e.AlertId!, e.Key, e.At))], cancellationToken);

        return new TvEventsAccepted(stored, duplicates + repeated, events.Count - accepted.Count);
    }
}
