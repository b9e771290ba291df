using System.Collections.Concurrent;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// What the municipality's tables ask of its TVs, answered from the TVs' days (<see cref="TvDay"/>): each JST day
/// the answers need is one partition scan, read once per table request; the operation log (<see cref="TvActivity"/>)
/// is asked only for a TV whose day cannot tell (its power events overflowed, or an event window inside one minute).
/// The same answers as <see cref="TvActivity"/>: events since the TV's <c>CountFrom</c>, power at most 7 days back.
/// </summary>
public sealed class TvDayView(ITvDayStore store, TvActivity log, string municipalityCode)
{
    private readonly ConcurrentDictionary<DateOnly, Lazy<Task<IReadOnlyDictionary<TvKey, TvDay>>>> _days = new();

    /// <summary><c>on</c>, <c>off</c> or <c>unknown</c>, as <see cref="TvActivity.PowerAtAsync"/>.</summary>
    public async Task<string> PowerAtAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tv);
        var from = TvActivity.From(tv, at - TvActivity.Horizon);
        for (var day = TvDay.DayOf(at); day >= TvDay.DayOf(from); day = day.AddDays(-1))
        {
            if ((await DayAsync(day, cancellationToken)).TryGetValue(tv.Key, out var summary))
            {
                if (summary.PowerOverflow)
                {
                    return await log.PowerAtAsync(tv, at, cancellationToken);
                }

                if (summary.LatestPower(from, at) is { } state)
                {
                    return state;
                }
            }
        }

        return "unknown";
    }

    /// <summary>At home: on at <paramref name="at"/>, or any event in the hour before, as <see cref="TvActivity.AtHomeAsync"/>.</summary>
    public async Task<bool> AtHomeAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tv);
        if (await PowerAtAsync(tv, at, cancellationToken) == "on")
        {
            return true;
        }

        var from = TvActivity.From(tv, at - TvActivity.AtHomeWindow);
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

    private Task<IReadOnlyDictionary<TvKey, TvDay>> DayAsync(DateOnly day, CancellationToken cancellationToken) =>
        _days.GetOrAdd(day, d => new Lazy<Task<IReadOnlyDictionary<TvKey, TvDay>>>(() => store.ListAsync(municipalityCode, d, cancellationToken))).Value;
}
