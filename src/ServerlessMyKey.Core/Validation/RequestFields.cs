using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Validation;

/// <summary>Checks of request fields shared by features; each failure is 400 <c>invalid_request</c> naming the field.</summary>
public static partial class RequestFields
{
    /// <summary>An identifier chosen by a caller (merchant, facility, client, source): 1–64 of <c>A–Z a–z 0–9 . _ -</c>, so it is safe in table keys.</summary>
    public static string RequireId(string? value, string field) =>
        IsId(value)
            ? value
            : throw new ServiceException(ErrorCodes.InvalidRequest, $"{field} must be 1–64 letters, digits, '.', '_' or '-'.");

    /// <summary>Whether <paramref name="value"/> is an identifier as <see cref="RequireId"/> wants it.</summary>
    public static bool IsId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) => value is not null && IdPattern().IsMatch(value);

    /// <summary>Free text such as a name: 1–<paramref name="maxLength"/> characters, no control characters.</summary>
    public static string RequireText(string? value, string field, int maxLength) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= maxLength && !value.Any(char.IsControl)
            ? value
            : throw new ServiceException(ErrorCodes.InvalidRequest, $"{field} must be 1–{maxLength} characters without control characters.");

    public static void RequirePositive(int amount, string field = "amount")
    {
        if (amount <= 0)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"{field} must be a positive whole number.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}\\z")]
    private static partial Regex IdPattern();
}
