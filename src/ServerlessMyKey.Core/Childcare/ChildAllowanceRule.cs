using System.Globalization;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>
/// 児童手当 認定請求's 15-day rule (DOMAIN.md): the day after the birth or move-in is day 1 and the
/// claim is in time through the 15th day, in Japan time. In time, the allowance is paid from the month
/// after the event; late, from the month after the claim.
/// </summary>
public static class ChildAllowanceRule
{
    public const int DaysToClaim = 15;

    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    /// <summary>The calendar date in Japan (JST, no daylight saving) at <paramref name="instant"/>.</summary>
    public static DateOnly JapanDate(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(JapanOffset).DateTime);

    public static ChildAllowanceTiming Evaluate(DateOnly eventDate, DateTimeOffset filedAt)
    {
        var deadline = eventDate.AddDays(DaysToClaim);
        var filedOn = JapanDate(filedAt);
        var late = filedOn > deadline;
        var basis = late ? filedOn : eventDate;
        var paymentStart = new DateOnly(basis.Year, basis.Month, 1).AddMonths(1);
        return new ChildAllowanceTiming(deadline, late, paymentStart.ToString("yyyy-MM", CultureInfo.InvariantCulture));
    }
}

/// <summary>The last day to claim in time (JST), whether the claim was late, and the first month paid (<c>YYYY-MM</c>).</summary>
public sealed record ChildAllowanceTiming(DateOnly Deadline, bool Late, string PaymentStartMonth);
