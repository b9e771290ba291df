namespace ServerlessMyKey.Jpki.Verification;

/// <summary>
/// How long after its notAfter a certificate is still accepted by one particular use. Calendar months,
/// because the rule it serves is written in months: a My Number Card works for health insurance up to
/// 3 months after its 利用者証明用 certificate expired (DOMAIN.md "Medical"). <see cref="None"/> everywhere else.
/// </summary>
public readonly record struct ExpiryGrace
{
    private ExpiryGrace(int months) => Months = months;

    /// <summary>No grace: an expired certificate is <c>certificate_expired</c>.</summary>
    public static ExpiryGrace None => default;

    public int Months { get; }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="months"/> is not 0–12.</exception>
    public static ExpiryGrace OfMonths(int months) =>
        months is >= 0 and <= 12 ? new ExpiryGrace(months) : throw new ArgumentOutOfRangeException(nameof(months), months, "0–12 months.");

    /// <summary>The last instant a certificate that expired at <paramref name="notAfter"/> is accepted.</summary>
    public DateTimeOffset End(DateTimeOffset notAfter) => Months == 0 ? notAfter : notAfter.AddMonths(Months);
}
