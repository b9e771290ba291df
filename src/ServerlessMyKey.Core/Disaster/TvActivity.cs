namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// What the operation logs say about a TV at a time, counting only events since the TV was unlinked
/// from an earlier resident (<see cref="TvLink.CountFrom"/>) and at most 7 days back.
/// </summary>
public sealed class TvActivity(IOperationLogStore logs)
{
    /// <summary>How far back a power event still says whether the TV is on.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(7);

    /// <summary>Any event this long before a time means someone was at home.</summary>
    public static readonly TimeSpan AtHomeWindow = TimeSpan.FromHours(1);

    /// <summary><c>on</c>, <c>off</c> or <c>unknown</c> (no power event before <paramref name="at"/>).</summary>
    public async Task<string> PowerAtAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tv);
        var last = await logs.LastPowerEventAsync(tv.Key, at, From(tv, at - Horizon), cancellationToken);
        return last is null ? "unknown" : last.Type == TvEventTypes.PowerOn ? "on" : "off";
    }

    /// <summary>At home at <paramref name="at"/>: the TV was on then, or had any event in the hour before.</summary>
    public async Task<bool> AtHomeAsync(TvLink tv, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tv);
        return await PowerAtAsync(tv, at, cancellationToken) == "on"
            || await logs.LastEventAtAsync(tv.Key, AtHomeFrom(tv, at), at, cancellationToken) is not null;
    }

    /// <summary>
    /// Where the hour of "any event means someone was at home" starts: the hour before <paramref name="at"/>, but never
    /// before the link. An event is something done at its own time, so one before the link tells of that time, which is
    /// nothing to the municipality; only the TV's power state carries across the link.
    /// </summary>
    public static DateTimeOffset AtHomeFrom(TvLink tv, DateTimeOffset at) => NotBeforeLink(tv, From(tv, at - AtHomeWindow));

    public Task<TvPowerEvent?> LastPowerEventAsync(TvLink tv, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        logs.LastPowerEventAsync(tv.Key, now, From(tv, now - Horizon), cancellationToken);

    public Task<DateTimeOffset?> LastEventAtAsync(TvLink tv, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        logs.LastEventAtAsync(tv.Key, From(tv, now - Horizon), now, cancellationToken);

    /// <summary>The earliest time whose events count for the TV's resident: the horizon, or the link's <c>CountFrom</c> if later.</summary>
    public static DateTimeOffset From(TvLink tv, DateTimeOffset horizon) => tv.CountFrom is { } from && from > horizon ? from : horizon;

    /// <summary>
    /// The one rule of what a TV tells the municipality about its resident, for a first link, a link after an unlink and a
    /// move alike: nothing about a time before the resident linked it here (<see cref="TvLink.LinkedAt"/>, which a move
    /// sets too) — then the TV was not theirs, or they were another municipality's. From the link on, earlier events (since
    /// <c>CountFrom</c>) still say what state the TV is in: a TV on since before the link is on, from the link.
    /// </summary>
    public static bool Tells(TvLink tv, DateTimeOffset at) => at >= tv.LinkedAt;

    /// <summary>A time the TV tells of, as the municipality may learn it: a time before the link reads as the link.</summary>
    public static DateTimeOffset NotBeforeLink(TvLink tv, DateTimeOffset at) => at < tv.LinkedAt ? tv.LinkedAt : at;
}
