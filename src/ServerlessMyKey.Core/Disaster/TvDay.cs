using System.Text;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// One TV's operation log of one JST day, summarised for the municipality's tables: its power events (time, on/off,
/// event id) and, per minute of the day with any event, the first and last instant of that minute with one. A set,
/// so merging the same event twice, or events in any order, gives the same summary (and the same bytes). It answers
/// "the latest power event in [from, to]" exactly (ties as the log query breaks them: the smaller event id), and
/// "any event in [from, to]" exactly, or <c>null</c> when the window lies strictly inside one minute's first and
/// last event (the caller then asks the log). More than <see cref="MaxPowerEvents"/> power events in a day mark it
/// <see cref="PowerOverflow"/> (the caller asks the log for power). At most about 51 KB serialised.
/// </summary>
public sealed class TvDay
{
    public const int MaxPowerEvents = 500;
    private const byte Version = 1;
    private static readonly long TicksPerMinute = TimeSpan.TicksPerMinute;
    private readonly SortedSet<PowerMark> _power = new();
    private readonly SortedDictionary<int, (int First, int Last)> _minutes = new();

    public TvDay(DateOnly day) => (Day, Start) = (day, JapanTime.At(day, TimeOnly.MinValue));

    public DateOnly Day { get; }

    /// <summary>The day's first instant (JST midnight).</summary>
    public DateTimeOffset Start { get; }

    public bool PowerOverflow { get; private set; }

    /// <summary>The JST day of an instant.</summary>
    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(JapanTime.Offset).DateTime);

    /// <summary>Adds an event of this day; <c>true</c> when the summary changed.</summary>
    public bool Add(TvEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var offset = (e.At - Start).Ticks;
        if (offset < 0 || offset >= TimeSpan.TicksPerDay)
        {
            throw new ArgumentOutOfRangeException(nameof(e), "The event is not of this day.");
        }

        var changed = false;
        var minute = (int)(offset / TicksPerMinute);
        var within = (int)(offset % TicksPerMinute);
        if (_minutes.TryGetValue(minute, out var span))
        {
            var widened = (Math.Min(span.First, within), Math.Max(span.Last, within));
            changed = widened != span;
            _minutes[minute] = widened;
        }
        else
        {
            _minutes[minute] = (within, within);
            changed = true;
        }

        if (e.Type is TvEventTypes.PowerOn or TvEventTypes.PowerOff && !PowerOverflow)
        {
            changed |= _power.Add(new PowerMark(e.At.UtcTicks, e.Type == TvEventTypes.PowerOn, e.EventId));
            if (_power.Count > MaxPowerEvents)
            {
                _power.Clear();
                PowerOverflow = true;
            }
        }

        return changed;
    }

    /// <summary>The latest power event in [<paramref name="from"/>, <paramref name="to"/>]: <c>on</c>, <c>off</c>, or <c>null</c> when none.</summary>
    /// <exception cref="InvalidOperationException">The day overflowed: ask the log.</exception>
    public string? LatestPower(DateTimeOffset from, DateTimeOffset to) =>
        LatestPowerEvent(from, to) is { } latest ? latest.Type == TvEventTypes.PowerOn ? "on" : "off" : null;

    /// <summary>
    /// The latest power event in [<paramref name="from"/>, <paramref name="to"/>] (its type and time; of events at the same
    /// instant, the smaller event id's), or <c>null</c> when none.
    /// </summary>
    /// <exception cref="InvalidOperationException">The day overflowed: ask the log.</exception>
    public (string Type, DateTimeOffset At)? LatestPowerEvent(DateTimeOffset from, DateTimeOffset to)
    {
        if (PowerOverflow)
        {
            throw new InvalidOperationException("The day's power events overflowed the summary.");
        }

        // Ordered newest first, then by event id: the first mark in the window is the answer.
        foreach (var mark in _power)
        {
            if (mark.Ticks >= from.UtcTicks && mark.Ticks <= to.UtcTicks)
            {
                return (mark.On ? TvEventTypes.PowerOn : TvEventTypes.PowerOff, new DateTimeOffset(mark.Ticks, TimeSpan.Zero));
            }
        }

        return null;
    }

    /// <summary>
    /// The time of the latest event of any type in [<paramref name="from"/>, <paramref name="to"/>]: <c>true</c> with the
    /// time (<c>null</c> when none), or <c>false</c> when the summary cannot tell (<paramref name="to"/> falls strictly
    /// inside one minute's first and last event: the latest one at or before it is somewhere in between).
    /// </summary>
    public bool TryLatestEvent(DateTimeOffset from, DateTimeOffset to, out DateTimeOffset? latest)
    {
        latest = null;
        var (a, b) = ((from - Start).Ticks, (to - Start).Ticks);
        if (b < a || b < 0 || a >= TimeSpan.TicksPerDay)
        {
            return true;
        }

        foreach (var (minute, (first, last)) in _minutes.Reverse())
        {
            var (firstAt, lastAt) = (minute * TicksPerMinute + first, minute * TicksPerMinute + last);
            if (firstAt > b)
            {
                continue;
            }

            if (lastAt <= b || firstAt == b)
            {
                var at = Math.Min(lastAt, b);
                latest = at >= a ? Start.AddTicks(at).ToUniversalTime() : null;
                return true;
            }

            return false;
        }

        return true;
    }

    /// <summary>Whether the TV had any event in [<paramref name="from"/>, <paramref name="to"/>]; <c>null</c> when the summary cannot tell.</summary>
    public bool? AnyEvent(DateTimeOffset from, DateTimeOffset to)
    {
        var (a, b) = ((from - Start).Ticks, (to - Start).Ticks);
        if (b < a || b < 0 || a >= TimeSpan.TicksPerDay)
        {
            return false;
        }

        var undecided = false;
        foreach (var (minute, (first, last)) in _minutes)
        {
            var (firstAt, lastAt) = (minute * TicksPerMinute + first, minute * TicksPerMinute + last);
            if ((firstAt >= a && firstAt <= b) || (lastAt >= a && lastAt <= b))
            {
                return true;
            }

            // The minute's events lie in [firstAt, lastAt]: the window strictly inside it may or may not hold one.
            undecided |= firstAt < a && lastAt > b;
        }

        return undecided ? null : false;
    }

    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer, Encoding.ASCII);
        writer.Write(Version);
        writer.Write(PowerOverflow);
        writer.Write((ushort)_power.Count);
        foreach (var mark in _power)
        {
            writer.Write(mark.Ticks);
            writer.Write(mark.On);
            writer.Write(mark.EventId);
        }

        writer.Write((ushort)_minutes.Count);
        foreach (var (minute, (first, last)) in _minutes)
        {
            writer.Write((ushort)minute);
            writer.Write(first);
            writer.Write(last);
        }

        writer.Flush();
        return buffer.ToArray();
    }

    /// <exception cref="FormatException">Not a summary this code wrote.</exception>
    public static TvDay FromBytes(DateOnly day, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var summary = new TvDay(day);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.ASCII);
            if (reader.ReadByte() != Version)
            {
                throw new FormatException("Unknown TV day summary version.");
            }

            summary.PowerOverflow = reader.ReadBoolean();
            for (int i = 0, n = reader.ReadUInt16(); i < n; i++)
            {
                summary._power.Add(new PowerMark(reader.ReadInt64(), reader.ReadBoolean(), reader.ReadString()));
            }

            for (int i = 0, n = reader.ReadUInt16(); i < n; i++)
            {
                summary._minutes[reader.ReadUInt16()] = (reader.ReadInt32(), reader.ReadInt32());
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new FormatException("The TV day summary is truncated.", ex);
        }

        return summary;
    }

    /// <summary>Ordered newest first, then by event id (as the log's <c>p|&lt;inverted ticks&gt;|&lt;eventId&gt;</c> rows).</summary>
    private sealed record PowerMark(long Ticks, bool On, string EventId) : IComparable<PowerMark>
    {
        public int CompareTo(PowerMark? other) =>
            other is null ? 1 : other.Ticks.CompareTo(Ticks) is var byTime and not 0 ? byTime : string.CompareOrdinal(EventId, other.EventId) is var byId and not 0 ? byId : On.CompareTo(other.On);
    }
}
