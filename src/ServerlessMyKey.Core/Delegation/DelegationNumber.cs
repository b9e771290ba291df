using System.Security.Cryptography;
using System.Text;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// 委任状番号 (delegation number): what people read out and type. Eleven characters of the MyKey ID
/// alphabet (no 0/O, 1/I/L) derived from the delegation id, and a Luhn mod 32 check character that
/// catches every single mistyped character and every swap of neighbours; shown as
/// <c>XXXX-XXXX-XXXX</c>. Input is read case-insensitively, with or without hyphens and spaces.
/// </summary>
public static class DelegationNumber
{
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private const int PayloadLength = 11;

    /// <summary>The number of a delegation id (deterministic, so a retried creation gets the same number).</summary>
    public static string For(string delegationId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("delegation-number\n" + delegationId));
        var payload = new char[PayloadLength];
        for (var i = 0; i < PayloadLength; i++)
        {
            payload[i] = Alphabet[hash[i] % 32];
        }

        return Format(new string(payload) + CheckCharacter(payload));
    }

    /// <summary>The canonical form (<c>XXXX-XXXX-XXXX</c>) of typed input, or null when it is malformed or its check character is wrong.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null || input.Length > 32)
        {
            return null;
        }

        var compact = new StringBuilder(PayloadLength + 1);
        foreach (var c in input)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            if (Alphabet.IndexOf(upper, StringComparison.Ordinal) < 0)
            {
                return null;
            }

            compact.Append(upper);
        }

        if (compact.Length != PayloadLength + 1)
        {
            return null;
        }

        var value = compact.ToString();
        return CheckCharacter(value.AsSpan(0, PayloadLength)) == value[PayloadLength] ? Format(value) : null;
    }

    // Luhn mod N (N = 32): from the right, every second code point doubled, digits summed in base N.
    internal static char CheckCharacter(ReadOnlySpan<char> payload)
    {
        var sum = 0;
        var factor = 2;
        for (var i = payload.Length - 1; i >= 0; i--)
        {
            var addend = factor * Alphabet.IndexOf(payload[i], StringComparison.Ordinal);
            sum += (addend / 32) + (addend % 32);
            factor = factor == 2 ? 1 : 2;
        }

        return Alphabet[(32 - (sum % 32)) % 32];
    }

    private static string Format(string compact) => $"{compact[..4]}-{compact[4..8]}-{compact[8..]}";
}
