using System.Globalization;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// The medical identifiers and their checks; each failure is 400 <c>invalid_request</c> naming the field,
/// never echoing the value (insurance numbers may not appear in problem details).
/// </summary>
public static partial class MedicalFields
{
    /// <summary>保険者番号: 8 digits.</summary>
    public static string RequireInsurerNumber(string? value, string field = "insurerNumber") =>
        Require(value, InsurerNumberPattern(), field, "8 digits");

    /// <summary>記号: 1–20 characters, letters, digits, hyphen or full-width characters (no control characters, no spaces at the ends).</summary>
    public static string RequireSymbol(string? value, string field = "symbol") =>
        Require(value, SymbolPattern(), field, "1–20 characters without spaces or control characters");

    /// <summary>番号: 1–20 characters as 記号.</summary>
    public static string RequireNumber(string? value, string field = "number") =>
        Require(value, SymbolPattern(), field, "1–20 characters without spaces or control characters");

    /// <summary>枝番: 2 digits.</summary>
    public static string RequireBranch(string? value, string field = "branch") =>
        Require(value, BranchPattern(), field, "2 digits");

    /// <summary>An insurer's own key of a member record: 1–64 of <c>A–Z a–z 0–9 . _ -</c>.</summary>
    public static string RequireMemberKey(string? value) => Validation.RequestFields.RequireId(value, "memberKey");

    /// <summary>医療機関コード: 10 digits.</summary>
    public static string RequireFacilityCode(string? value, string field = "facilityCode") =>
        Require(value, FacilityCodePattern(), field, "10 digits");

    public static bool IsFacilityCode(string? value) => value is not null && FacilityCodePattern().IsMatch(value);

    /// <summary>診察券番号: 1–32 letters, digits or '-'.</summary>
    public static string RequirePatientNumber(string? value, string field = "patientNumber") =>
        Require(value, PatientNumberPattern(), field, "1–32 letters, digits or '-'");

    /// <summary>A calendar date <c>YYYY-MM-DD</c>.</summary>
    public static DateOnly RequireDate(string? value, string field) =>
        value is not null && DatePattern().IsMatch(value) && DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ServiceException(ErrorCodes.InvalidRequest, $"{field} must be a date YYYY-MM-DD.");

    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Today in Japan (JST, UTC+9): coverage and reservations are calendar days there.</summary>
    public static DateOnly TodayInJapan(DateTimeOffset now) => DateOnly.FromDateTime(now.ToOffset(Japan).DateTime);

    public static DateOnly DayInJapan(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(Japan).DateTime);

    public static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    private static string Require(string? value, Regex pattern, string field, string rule) =>
        value is not null && pattern.IsMatch(value)
            ? value
            : throw new ServiceException(ErrorCodes.InvalidRequest, $"{field} must be {rule}.");

    [GeneratedRegex(@"^[0-9]{8}\z")]
    private static partial Regex InsurerNumberPattern();

    [GeneratedRegex(@"^[^\s\p{C}]{1,20}\z")]
    private static partial Regex SymbolPattern();

    [GeneratedRegex(@"^[0-9]{2}\z")]
    private static partial Regex BranchPattern();

    [GeneratedRegex(@"^[0-9]{10}\z")]
    private static partial Regex FacilityCodePattern();

    [GeneratedRegex(@"^[A-Za-z0-9-]{1,32}\z")]
    private static partial Regex PatientNumberPattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}\z")]
    private static partial Regex DatePattern();
}
