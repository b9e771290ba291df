using System.Globalization;

namespace ServerlessMyKey.Core.Points;

/// <summary>
/// When points that land in a municipality expire, configured per municipality as
/// <c>Points:Municipalities:&lt;code&gt;:ExpiryRule</c>. Dates are Japanese (JST, UTC+9, no daylight
/// saving) and the fiscal year (年度) runs from April 1 to March 31. A lot expires at the instant
/// returned: it is usable strictly before it.
/// </summary>
public abstract record ExpiryRule
{
    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    /// <summary>The instant points credited at <paramref name="creditedAt"/> expire, or <c>null</c> for never.</summary>
    public abstract DateTimeOffset? ExpiresAt(DateTimeOffset creditedAt);

    /// <summary>
    /// Parses <c>EndOfNextFiscalYear</c>, <c>EndOfFiscalYear</c>, <c>Days:&lt;n&gt;</c> (1–3650: to the end
    /// of the n-th day after crediting) or <c>None</c>; throws <see cref="FormatException"/> otherwise.
    /// </summary>
    public static ExpiryRule Parse(string? value)
    {
        var text = value?.Trim() ?? string.Empty;
        if (text.Equals("EndOfNextFiscalYear", StringComparison.OrdinalIgnoreCase))
        {
            return new EndOfFiscalYearRule(1);
        }

        if (text.Equals("EndOfFiscalYear", StringComparison.OrdinalIgnoreCase))
        {
            return new EndOfFiscalYearRule(0);
        }

        if (text.Equals("None", StringComparison.OrdinalIgnoreCase))
        {
            return new NeverRule();
        }

        if (text.StartsWith("Days:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var days)
            && days is >= 1 and <= 3650)
        {
            return new DaysRule(days);
        }

        throw new FormatException($"'{value}' is not an expiry rule: use EndOfNextFiscalYear, EndOfFiscalYear, Days:<1-3650> or None.");
    }

    private static DateTimeOffset JstMidnight(int year, int month, int day) => new(year, month, day, 0, 0, 0, Jst);

    /// <summary>Until the end of the fiscal year <c>yearsAfter</c> years after the one of the credit.</summary>
    private sealed record EndOfFiscalYearRule(int YearsAfter) : ExpiryRule
    {
        public override DateTimeOffset? ExpiresAt(DateTimeOffset creditedAt)
        {
            var local = creditedAt.ToOffset(Jst);
            var fiscalYear = local.Month >= 4 ? local.Year : local.Year - 1;
            return JstMidnight(fiscalYear + 1 + YearsAfter, 4, 1).ToUniversalTime();
        }

        public override string ToString() => YearsAfter == 1 ? "EndOfNextFiscalYear" : "EndOfFiscalYear";
    }

    private sealed record DaysRule(int Days) : ExpiryRule
    {
        public override DateTimeOffset? ExpiresAt(DateTimeOffset creditedAt)
        {
            var local = creditedAt.ToOffset(Jst);
            return JstMidnight(local.Year, local.Month, local.Day).AddDays(Days + 1).ToUniversalTime();
        }

        public override string ToString() => "Days:" + Days.ToString(CultureInfo.InvariantCulture);
    }

    private sealed record NeverRule : ExpiryRule
    {
        public override DateTimeOffset? ExpiresAt(DateTimeOffset creditedAt) => null;

        public override string ToString() => "None";
    }
}
