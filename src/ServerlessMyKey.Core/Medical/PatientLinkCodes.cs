using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// The facility's link code for a patient number (診察券番号): shown or printed at the counter to the patient
/// the staff identified, typed by the patient to link their MyKey ID. 8 characters of a 32-letter alphabet
/// without look-alikes (40 bits), valid <see cref="Lifetime"/>, single use, worn out after
/// <see cref="MaxFailedAttempts"/> wrong tries. Only a hash bound to the facility and patient number is stored.
/// </summary>
public static partial class PatientLinkCodes
{
    public const int Length = 8;

    /// <summary>Wrong codes tried against one issued code before it is deleted.</summary>
    public const int MaxFailedAttempts = 5;

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>The stored form: SHA-256 over the facility, the patient number and the code, so a code fits one patient number of one facility only.</summary>
    public static string Hash(string facilityCode, string patientNumber, string code) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"patient-link-code\n{facilityCode}\n{patientNumber}\n{code}")));

    /// <summary>Whether <paramref name="code"/> is the one <paramref name="storedHash"/> was made of (constant time).</summary>
    public static bool Matches(string storedHash, string facilityCode, string patientNumber, string code) =>
        CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(storedHash), Convert.FromBase64String(Hash(facilityCode, patientNumber, code)));

    /// <summary>The code as typed (case and hyphens ignored), or 400 <c>invalid_request</c>; never echoed.</summary>
    public static string Require(string? value)
    {
        var code = value?.Replace("-", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        return code is not null && CodePattern().IsMatch(code)
            ? code
            : throw new ServiceException(ErrorCodes.InvalidRequest, "linkCode must be the 8-character code the facility issued for the patient number.");
    }

    [GeneratedRegex(@"^[2-9A-HJ-NP-Z]{8}\z")]
    private static partial Regex CodePattern();
}
