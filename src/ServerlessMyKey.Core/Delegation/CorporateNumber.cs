namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// 法人番号 (corporate number): 13 digits, the first a check digit over the other twelve
/// (法人番号の指定等に関する省令 第2条): 9 − (Σ Pn × Qn mod 9), Pn the n-th digit counted from the
/// right of the twelve, Qn 1 for odd n and 2 for even n. For a registered company the twelve digits
/// are its 会社法人等番号 (the commercial registry's number), so one gives the other.
/// </summary>
public static class CorporateNumber
{
    public static bool IsValid(string? value) =>
        value is { Length: 13 } && value.All(char.IsAsciiDigit) && value[0] == CheckDigit(value.AsSpan(1));

    /// <summary>The 法人番号 of the company with this 12-digit 会社法人等番号; null when it is not 12 digits.</summary>
    public static string? FromCompanyNumber(string? companyNumber) =>
        companyNumber is { Length: 12 } && companyNumber.All(char.IsAsciiDigit)
            ? CheckDigit(companyNumber) + companyNumber
            : null;

    private static char CheckDigit(ReadOnlySpan<char> twelve)
    {
        var sum = 0;
        for (var n = 1; n <= 12; n++)
        {
            var digit = twelve[12 - n] - '0';
            sum += digit * (n % 2 == 1 ? 1 : 2);
        }

        return (char)('0' + 9 - (sum % 9));
    }
}
