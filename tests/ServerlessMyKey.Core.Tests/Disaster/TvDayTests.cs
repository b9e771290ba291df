using ServerlessMyKey.Core.Disaster;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Disaster;

/// <summary>
/// The TV's day summary the tables read: a set (order and replays do not matter), and its answers are the log's
/// answers (checked against a brute force over random days), or "cannot tell" only where it says so.
/// </summary>
public sealed class TvDayTests
{
    private static readonly DateOnly Day = new(2026, 11, 29);
    private static readonly DateTimeOffset Midnight = JapanTime.At(Day, TimeOnly.MinValue);

    [Fact]
    public void Events_in_any_order_and_again_give_the_same_summary()
    {
        var events = RandomDay(new Random(7), 300);
        var forward = new TvDay(Day);
        events.ForEach(e => forward.Add(e));
        var backward = new TvDay(Day);
        Enumerable.Reverse(events).Concat(events).ToList().ForEach(e => backward.Add(e));

        Assert.Equal(forward.ToBytes(), backward.ToBytes());
        Assert.Equal(forward.ToBytes(), TvDay.FromBytes(Day, forward.ToBytes()).ToBytes());
        Assert.False(TvDay.FromBytes(Day, forward.ToBytes()).Add(events[0]));
    }

    [Fact]
    public void The_latest_power_event_of_a_window_is_the_logs_answer()
    {
        var random = new Random(11);
        for (var round = 0; round < 50; round++)
        {
            var events = RandomDay(random, random.Next(1, 60));
            var summary = new TvDay(Day);
            events.ForEach(e => summary.Add(e));
            for (var probe = 0; probe < 50; probe++)
            {
                var (from, to) = Window(random);
                var expected = events.Where(e => e.Type is TvEventTypes.PowerOn or TvEventTypes.PowerOff && e.At >= from && e.At <= to)
                    .OrderByDescending(e => e.At.UtcTicks).ThenBy(e => e.EventId, StringComparer.Ordinal).FirstOrDefault();
                Assert.Equal(expected is null ? null : expected.Type == TvEventTypes.PowerOn ? "on" : "off", summary.LatestPower(from, to));
                Assert.Equal(expected is null ? null : (expected.Type, expected.At), summary.LatestPowerEvent(from, to));
            }
        }
    }

    [Fact]
    public void Any_event_of_a_window_is_the_logs_answer_or_cannot_tell_inside_one_minute()
    {
        var random = new Random(13);
        for (var round = 0; round < 50; round++)
        {
            var events = RandomDay(random, random.Next(1, 200));
            var summary = new TvDay(Day);
            events.ForEach(e => summary.Add(e));
            for (var probe = 0; probe < 50; probe++)
            {
                var (from, to) = Window(random);
                var expected = events.Any(e => e.At >= from && e.At <= to);
                var answer = summary.AnyEvent(from, to);
                Assert.True(answer == expected || (answer is null && to - from < TimeSpan.FromMinutes(1)), $"[{from:O}, {to:O}]: {answer} for {expected}");
            }

            // A slot of the presence table (HH:mm) and the hour before it is always told.
            var slot = Midnight.AddMinutes(random.Next(60, 1440));
            Assert.Equal(events.Any(e => e.At >= slot.AddHours(-1) && e.At <= slot), summary.AnyEvent(slot.AddHours(-1), slot));
        }
    }

    [Fact]
    public void The_latest_event_of_a_window_is_the_logs_or_cannot_tell_when_it_ends_inside_one_minute()
    {
        var random = new Random(17);
        for (var round = 0; round < 50; round++)
        {
            var events = RandomDay(random, random.Next(1, 200));
            var summary = new TvDay(Day);
            events.ForEach(e => summary.Add(e));
            foreach (var (from, to) in Enumerable.Range(0, 50).Select(_ => Window(random)))
            {
                var latest = events.Where(e => e.At >= from && e.At <= to).Select(e => (DateTimeOffset?)e.At).Max();
                if (summary.TryLatestEvent(from, to, out var answer))
                {
                    Assert.Equal(latest, answer);
                }
                else
                {
                    // Only when the window ends strictly inside one minute's first and last event.
                    Assert.Contains(events, e => e.At > to && e.At - to < TimeSpan.FromMinutes(1));
                }
            }

            // The latest event of the whole day is always told.
            Assert.True(summary.TryLatestEvent(Midnight, Midnight.AddDays(1).AddTicks(-1), out var last));
            Assert.Equal(events.Max(e => e.At), last);
        }
    }

    [Fact]
    public void Two_events_of_one_minute_around_a_shorter_window_cannot_be_told_apart_from_one_inside_it()
    {
        var summary = new TvDay(Day);
        summary.Add(Event("a", TvEventTypes.Channel, Midnight.AddMinutes(600).AddSeconds(5)));
        summary.Add(Event("b", TvEventTypes.Channel, Midnight.AddMinutes(600).AddSeconds(50)));

        Assert.Null(summary.AnyEvent(Midnight.AddMinutes(600).AddSeconds(10), Midnight.AddMinutes(600).AddSeconds(40)));
        Assert.True(summary.AnyEvent(Midnight.AddMinutes(600).AddSeconds(10), Midnight.AddMinutes(600).AddSeconds(50)));
        Assert.False(summary.AnyEvent(Midnight.AddMinutes(601), Midnight.AddMinutes(700)));
    }

    [Fact]
    public void More_power_events_than_a_day_keeps_overflow_and_the_fullest_day_fits_a_table_property()
    {
        var summary = new TvDay(Day);
        for (var i = 0; i < TvDay.MaxPowerEvents; i++)
        {
            summary.Add(Event(new string('x', 58) + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), TvEventTypes.PowerOn, Midnight.AddSeconds(i * 172)));
        }

        for (var minute = 0; minute < 1440; minute++)
        {
            summary.Add(Event("c" + minute, TvEventTypes.Channel, Midnight.AddMinutes(minute).AddSeconds(1)));
            summary.Add(Event("d" + minute, TvEventTypes.Channel, Midnight.AddMinutes(minute).AddSeconds(59)));
        }

        Assert.False(summary.PowerOverflow);
        Assert.True(summary.ToBytes().Length <= 64 * 1024, $"{summary.ToBytes().Length} bytes");

        summary.Add(Event("one-more", TvEventTypes.PowerOff, Midnight.AddHours(23)));
        Assert.True(summary.PowerOverflow);
        Assert.Throws<InvalidOperationException>(() => summary.LatestPower(Midnight, Midnight.AddDays(1)));
        Assert.True(TvDay.FromBytes(Day, summary.ToBytes()).PowerOverflow);
    }

    [Fact]
    public void An_event_of_another_day_and_bytes_of_something_else_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TvDay(Day).Add(Event("late", TvEventTypes.Channel, Midnight.AddDays(1))));
        Assert.Throws<FormatException>(() => TvDay.FromBytes(Day, [9, 0, 0]));
        Assert.Throws<FormatException>(() => TvDay.FromBytes(Day, [1, 0, 5]));
    }

    private static List<TvEvent> RandomDay(Random random, int count)
    {
        string[] types = [TvEventTypes.PowerOn, TvEventTypes.PowerOff, TvEventTypes.Channel, TvEventTypes.Button];
        var events = new List<TvEvent>(count);
        for (var i = 0; i < count; i++)
        {
            // Some events share an instant (ties), some a minute: ticks within a few minutes of each other.
            var at = i > 0 && random.Next(8) == 0 ? events[random.Next(i)].At : Midnight.AddTicks(random.NextInt64(TimeSpan.TicksPerDay));
            events.Add(Event("e" + random.Next(1_000_000), types[random.Next(types.Length)], at));
        }

        return events;
    }

    private static (DateTimeOffset From, DateTimeOffset To) Window(Random random)
    {
        var from = Midnight.AddTicks(random.NextInt64(-TimeSpan.TicksPerHour, TimeSpan.TicksPerDay));
        var length = random.Next(3) switch
        {
            0 => TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerMinute)),
            1 => TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerHour * 2)),
            _ => TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerDay)),
        };
        return (from, from + length);
    }

    private static TvEvent Event(string id, string type, DateTimeOffset at) => new(id, "tv-1", "tv-aqua", type, at.ToUniversalTime(), null, null);
}
