using System.Collections.Concurrent;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// What the municipality's tables and the watching timer ask of its TVs, answered from the TVs' days (<see cref="TvDay"/>):
/// each JST day the answers need is one scan of its partitions, read once per view (a table request, a watching run);
/// the operation log (<see cref="TvActivity"/>) is asked only for a TV whose day cannot tell (its power events
/// overflowed, or a window edge inside one minute's first and last event). The same answers as <see cref="TvActivity"/>:
/// events since the TV's <c>CountFrom</c>, power at most 7 days back. Both tables and the watching timer ask here, so
/// <see cref="TvActivity.Tells"/> is applied here, once: of a time before the TV's link nothing is told (no power event,
/// no event, not at home), and a time it tells of is never before the link. A TV moved here less than the power horizon
/// before the time asked has its days before the move under the municipality it left (never read here): its log answers.
/// </summary>
public sealed class TvDayView(ITvDayStore store, TvActivity log, string municipalityCode)
{
    private readonly ConcurrentDictionary<DateOnly, Lazy<Task<IReadOnlyDictionary<TvKey, TvDay>>>> _days = new();

    /// <summary><c>on</c>, <c>off</c> or <c>unknown</c>, as <see cref="TvActivity.PowerAtAsync"/>.</summary>
    public async Task<string> PowerAtAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tv);
        var last = await LastPowerEventAsync(tv, at, cancellationToken);
        return last is null ? "unknown" : last.Type == TvEventTypes.PowerOn ? "on" : "off";
    }

    /// <summary>The latest power event at or before <paramref name="at"/>, as <see cref="TvActivity.LastPowerEventAsync"/>.</summary>
    public async Task<TvPowerEvent?> LastPowerEventAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tv);
        if (!TvActivity.Tells(tv, at))
        {
            return null;
        }

        var last = MovedInRecently(tv, at) ? await log.LastPowerEventAsync(tv, at, cancellationToken) : await LastPowerEventOfDaysAsync(tv, at, cancellationToken);
        return last is null ? null : last with { At = TvActivity.NotBeforeLink(tv, last.At) };
    }

    private async Task<TvPowerEvent?> LastPowerEventOfDaysAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var from = TvActivity.From(tv, at - TvActivity.Horizon);
        for (var day = TvDay.DayOf(at); day >= TvDay.DayOf(from); day = day.AddDays(-1))
        {
            if ((await DayAsync(day, cancellationToken)).TryGetValue(tv.Key, out var summary))
            {
                if (summary.PowerOverflow)
                {
                    return await log.LastPowerEventAsync(tv, at, cancellationToken);
                }

                if (summary.LatestPowerEvent(from, at) is { } latest)
                {
                    return new TvPowerEvent(tv.Key, latest.Type, latest.At);
                }
            }
        }

        return null;
    }

    /// <summary>The time of the latest event at or before <paramref name="at"/>, as <see cref="TvActivity.LastEventAtAsync"/>.</summary>
    public async Task<DateTimeOffset?> LastEventAtAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tv);
        if (!TvActivity.Tells(tv, at))
        {
            return null;
        }

        var latest = MovedInRecently(tv, at) ? await log.LastEventAtAsync(tv, at, cancellationToken) : await LastEventOfDaysAsync(tv, at, cancellationToken);
        return latest is { } time ? TvActivity.NotBeforeLink(tv, time) : null;
    }

    private async Task<DateTimeOffset?> LastEventOfDaysAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var from = TvActivity.From(tv, at - TvActivity.Horizon);
        for (var day = TvDay.DayOf(at); day >= TvDay.DayOf(from); day = day.AddDays(-1))
        {
            if ((await DayAsync(day, cancellationToken)).TryGetValue(tv.Key, out var summary))
            {
                if (!summary.TryLatestEvent(from, at, out var latest))
                {
                    return await log.LastEventAtAsync(tv, at, cancellationToken);
                }

                if (latest is not null)
                {
                    return latest;
                }
            }
        }

        return null;
    }

    /// <summary>At home: on at <paramref name="at"/>, or any event in the hour before, as <see cref="TvActivity.AtHomeAsync"/>.</summary>
    public async Task<bool> AtHomeAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tv);
        if (!TvActivity.Tells(tv, at))
        {
            return false;
        }

        if (MovedInRecently(tv, at))
        {
            return await log.AtHomeAsync(tv, at, cancellationToken);
        }

        if (await PowerAtAsync(tv, at, cancellationToken) == "on")
        {
            return true;
        }

        var from = TvActivity.AtHomeFrom(tv, at);
        for (var day = TvDay.DayOf(from); day <= TvDay.DayOf(at); day = day.AddDays(1))
        {
            if ((await DayAsync(day, cancellationToken)).TryGetValue(tv.Key, out var summary))
            {
                switch (summary.AnyEvent(from, at))
                {
                    case true:
                        return true;
                    case null:
                        return await log.AtHomeAsync(tv, at, cancellationToken);
                }
            }
        }

        return false;
    }

    /// <summary>
    /// A TV its resident moved here from another municipality less than the power horizon before <paramref name="at"/>:
    /// its days before the move are that municipality's (<c>TvDays</c> is per municipality, and another municipality's
    /// partition is never read here), so the TV's own log answers — its resident's events since the link
    /// (<c>CountFrom</c>), wherever they were registered then; never an earlier resident's.
    /// </summary>
    private static bool MovedInRecently(TvLink tv, DateTimeOffset at) => tv.MovedInAt is { } moved && moved > at - TvActivity.Horizon;

    private Task<IReadOnlyDictionary<TvKey, TvDay>> DayAsync(DateOnly day, CancellationToken cancellationToken) =>
        _days.GetOrAdd(day, d => new Lazy<Task<IReadOnlyDictionary<TvKey, TvDay>>>(() => store.ListAsync(municipalityCode, d, cancellationToken))).Value;
}
