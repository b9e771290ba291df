using System.Globalization;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// 見守り: for residents who consented, finds TVs on longer than <c>Watch:MaxOnHours</c> (since their
/// last power_on) or with no activity for <c>Watch:MaxIdleHours</c>, and tells the municipality's
/// webhook (<c>watch.alert</c>, ids only) once per episode: an episode is the TV, the kind and the time it
/// began, so the same episode is never raised twice, and a new power_on or new activity starts another.
/// An alert whose webhook failed (or that has none) is tried again on the next run.
/// </summary>
public sealed class WatchingService(
    IDisasterRegistry registry,
    IWatchAlertStore watchAlerts,
    ITvDayStore days,
    TvActivity activity,
    ResidentNames names,
    TvPlatformWebhooks webhooks,
    DisasterOptions options,
    TimeProvider time,
    ILogger<WatchingService> logger)
{
    public const string OnTooLong = "on_too_long";
    public const string IdleTooLong = "idle_too_long";

    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var raised = 0;
        foreach (var municipality in options.Municipalities)
        {
            var watched = (await registry.ListResidentsAsync(municipality, cancellationToken)).Where(r => r.Watching).Select(r => r.ResidentId).ToHashSet(StringComparer.Ordinal);
            var tvs = (await registry.ListTvsAsync(municipality, cancellationToken)).Where(t => watched.Contains(t.ResidentId)).ToList();
            var view = new TvDayView(days, activity, municipality);
            await Parallel.ForEachAsync(tvs, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (tv, ct) =>
            {
                foreach (var episode in await EpisodesAsync(view, tv, ct))
                {
                    var alert = await watchAlerts.AddOrGetAsync(episode, ct);
                    if (alert.NotifiedAt is null && await NotifyAsync(alert, ct))
                    {
                        await watchAlerts.MarkNotifiedAsync(alert, time.GetUtcNow(), ct);
                        Interlocked.Increment(ref raised);
                    }
                }
            });
        }

        return raised;
    }

    public async Task<WatchAlertList> ListAsync(string? municipalityCode, int? limit, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var municipality = options.RequireMunicipality(municipalityCode);
        options.RequireStaffOf(caller, municipality);
        var count = limit ?? 100;
        if (count is < 1 or > 500)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "limit must be 1–500.");
        }

        var residents = (await registry.ListResidentsAsync(municipality, cancellationToken)).ToDictionary(r => r.ResidentId, StringComparer.Ordinal);
        var views = new List<WatchAlertView>();
        foreach (var alert in await watchAlerts.ListAsync(municipality, count, cancellationToken))
        {
            if (residents.TryGetValue(alert.ResidentId, out var resident))
            {
                var name = await names.RevealAsync(municipality, resident.ResidentId, resident.ProtectedNames, cancellationToken);
                views.Add(new WatchAlertView(alert.WatchAlertId, alert.ResidentId, name.DisplayName, resident.DistrictCode, alert.Tv.TvId, alert.Tv.PlatformId, alert.Kind, alert.Since, alert.RaisedAt, alert.NotifiedAt));
            }
        }

        return new WatchAlertList(views);
    }

    /// <summary>
    /// The TV's episodes now, from its days (the municipality's <c>TvDays</c>, read once per run), as its log says — through
    /// the view the tables use, so by the same rule (<see cref="TvActivity.Tells"/>): a TV on since before its link is on
    /// since the link, and idle at the latest since the link; nothing before the link begins an episode.
    /// </summary>
    private async Task<List<WatchAlert>> EpisodesAsync(TvDayView view, TvLink tv, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var episodes = new List<WatchAlert>();
        if (await view.LastPowerEventAsync(tv, now, cancellationToken) is { Type: TvEventTypes.PowerOn } on && now - on.At > options.MaxOn)
        {
            episodes.Add(Episode(tv, OnTooLong, on.At, now));
        }

        var since = await view.LastEventAtAsync(tv, now, cancellationToken) ?? tv.LinkedAt;
        if (now - since > options.MaxIdle)
        {
            episodes.Add(Episode(tv, IdleTooLong, since, now));
        }

        return episodes;
    }

    private async Task<bool> NotifyAsync(WatchAlert alert, CancellationToken cancellationToken)
    {
        var body = ApiJsonOptions.Serialize(new WatchAlertEvent("watch.alert", alert.WatchAlertId, alert.MunicipalityCode, alert.ResidentId, alert.Tv.TvId, alert.Tv.PlatformId, alert.Kind, alert.Since, alert.RaisedAt));
        var told = false;
        foreach (var client in options.MunicipalityClients[alert.MunicipalityCode].Where(webhooks.Has))
        {
            try
            {
                told |= await webhooks.PostAsync(client, body, cancellationToken) is null;
            }
            catch (HttpRequestException)
            {
                logger.LogWarning("Watch alert {WatchAlertId} not taken by the webhook of {ClientId}; the next run tries again", alert.WatchAlertId, client);
            }
        }

        return told;
    }

    private static WatchAlert Episode(TvLink tv, string kind, DateTimeOffset since, DateTimeOffset now) =>
        new(tv.MunicipalityCode, $"w-{kind}-{tv.Key}-{since.UtcTicks.ToString(CultureInfo.InvariantCulture)}", tv.ResidentId, tv.Key, kind, since, now, null);
}
