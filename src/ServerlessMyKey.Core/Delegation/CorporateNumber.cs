namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// 法人番号 (corporate number): 13 digits, the first a check digit over the other twelve
/// (法人番号の指定等に関する省令 第2条): 9 − (Σ Pn × Qn mod 9), Pn the n-th digit counted from the
/// right of the twelve, Qn 1 for odd n and 2 for even n.
/// </summary>
public static class CorporateNumber
{
    public static bool IsValid(string? value)
    {
        if (value is not { Length: 13 } || !value.All(char.IsAsciiDigit))
        {
            return false;
        }

        var sum = 0;
        for (var n = 1; n <= 12; n++)
        {
            var digit = value[13 - n] - '0';
            sum += digit * (n % 2 == 1 ? 1 : 2);
        }

        return value[0] - '0' == 9 - (sum % 9);
    }
}
