using ServerlessMyKey.Core.Points;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Points;

public sealed class ExpiryRuleTests
{
    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    [Theory]
    // Fiscal year 2025 runs 2025-04-01 to 2026-03-31 JST; the next one ends 2027-03-31.
    [InlineData("2025-04-01T00:00:00+09:00", "2027-04-01T00:00:00+09:00")]
    [InlineData("2025-05-10T12:00:00+09:00", "2027-04-01T00:00:00+09:00")]
    [InlineData("2026-03-31T23:59:59+09:00", "2027-04-01T00:00:00+09:00")]
    // 2025-03-31T15:00Z is already April 1 in Japan: fiscal year 2025.
    [InlineData("2025-03-31T15:00:00+00:00", "2027-04-01T00:00:00+09:00")]
    [InlineData("2025-03-31T14:59:59+00:00", "2026-04-01T00:00:00+09:00")]
    public void End_of_next_fiscal_year_counts_in_Japanese_time(string creditedAt, string expiresAt)
    {
        var rule = ExpiryRule.Parse("EndOfNextFiscalYear");

        Assert.Equal(DateTimeOffset.Parse(expiresAt), rule.ExpiresAt(DateTimeOffset.Parse(creditedAt)));
    }

    [Fact]
    public void End_of_fiscal_year_is_the_coming_March_31()
    {
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, Jst), ExpiryRule.Parse("EndOfFiscalYear").ExpiresAt(new DateTimeOffset(2025, 12, 1, 9, 0, 0, Jst)));
    }

    [Fact]
    public void Days_rule_runs_to_the_end_of_the_nth_Japanese_day()
    {
        var rule = ExpiryRule.Parse("Days:30");

        Assert.Equal(new DateTimeOffset(2025, 6, 10, 0, 0, 0, Jst), rule.ExpiresAt(new DateTimeOffset(2025, 5, 10, 23, 30, 0, Jst)));
        Assert.Equal(new DateTimeOffset(2025, 6, 10, 0, 0, 0, Jst), rule.ExpiresAt(new DateTimeOffset(2025, 5, 10, 0, 0, 0, Jst)));
    }

    [Fact]
    public void None_never_expires()
    {
        Assert.Null(ExpiryRule.Parse("None").ExpiresAt(DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Days:0")]
    [InlineData("Days:3651")]
    [InlineData("Days:-1")]
    [InlineData("Days:1x")]
    [InlineData("EndOfYear")]
    public void Unknown_rules_are_refused(string? value)
    {
        Assert.Throws<FormatException>(() => ExpiryRule.Parse(value));
    }
}
