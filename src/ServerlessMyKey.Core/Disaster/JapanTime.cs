using System.Globalization;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>Japan Standard Time (UTC+9, no daylight saving): the municipalities' days and time slots.</summary>
public static class JapanTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    /// <summary>The JST date of an instant as <c>yyyyMMdd</c> (an operation-log partition's day).</summary>
    public static string DayKey(DateTimeOffset at) => at.ToOffset(Offset).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The instant of a JST date and time of day.</summary>
    public static DateTimeOffset At(DateOnly date, TimeOnly time) => new(date.ToDateTime(time), Offset);
}
