using ServerlessMyKey.Core.Childcare;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Childcare;

/// <summary>児童手当's 15-day rule in Japan time: the day after the event is day 1; in time → the month after the event, late → the month after the claim.</summary>
public sealed class ChildAllowanceRuleTests
{
    [Theory]
    // event date, filed at (UTC), deadline, late, payment start month
    [InlineData("2026-05-10", "2026-05-25T14:59:59Z", "2026-05-25", false, "2026-06")] // 23:59:59 JST on day 15
    [InlineData("2026-05-10", "2026-05-25T15:00:00Z", "2026-05-25", true, "2026-06")] // 00:00 JST on day 16: late, filed in May
    [InlineData("2026-05-10", "2026-06-01T00:00:00Z", "2026-05-25", true, "2026-07")]
    [InlineData("2026-01-31", "2026-02-15T14:00:00Z", "2026-02-15", false, "2026-02")] // a month-end birth: paid from February
    [InlineData("2026-01-31", "2026-02-15T15:00:00Z", "2026-02-15", true, "2026-03")] // late by one JST day: from March
    [InlineData("2025-12-31", "2026-01-15T10:00:00Z", "2026-01-15", false, "2026-01")] // across the year end, in time
    [InlineData("2025-12-31", "2026-01-16T00:00:00Z", "2026-01-15", true, "2026-02")]
    [InlineData("2025-12-20", "2025-12-31T15:30:00Z", "2026-01-04", false, "2026-01")] // 00:30 JST on Jan 1 is still in time
    [InlineData("2028-02-14", "2028-02-29T14:59:00Z", "2028-02-29", false, "2028-03")] // leap year: day 15 is Feb 29
    public void Deadline_lateness_and_first_month(string eventDate, string filedAt, string deadline, bool late, string paymentStart)
    {
        var timing = ChildAllowanceRule.Evaluate(DateOnly.Parse(eventDate), DateTimeOffset.Parse(filedAt));

        Assert.Equal(DateOnly.Parse(deadline), timing.Deadline);
        Assert.Equal(late, timing.Late);
        Assert.Equal(paymentStart, timing.PaymentStartMonth);
    }
}
