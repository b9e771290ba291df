namespace ServerlessMyKey.Core.Disaster;

/// <summary>Japan Standard Time (UTC+9, no daylight saving): the municipalities' days and time slots.</summary>
public static class JapanTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    /// <summary>The instant of a JST date and time of day.</summary>
    public static DateTimeOffset At(DateOnly date, TimeOnly time) => new(date.ToDateTime(time), Offset);
}
