using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// The facility's link code for a patient number (診察券番号): shown or printed at the counter to the patient
/// the staff identified, typed by the patient to link their MyKey ID. 8 characters of a 32-letter alphabet
/// without look-alikes (40 bits), valid <see cref="Lifetime"/>, single use, worn out after
/// <see cref="MaxFailedAttempts"/> wrong tries. Only a keyed hash bound to the facility and patient number is stored.
/// </summary>
public static partial class PatientLinkCodes
{
    public const int Length = 8;

    /// <summary>Wrong codes tried against one issued code before it is deleted.</summary>
    public const int MaxFailedAttempts = 5;

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>
    /// Whether a stored hash is the one made of the code typed (constant time). The stored form is a keyed hash
    /// (<see cref="MedicalKeyedHashes.PatientLinkCodeAsync"/>) over the facility, the patient number and the code: with
    /// only 40 bits, an unkeyed hash read from the table would give the live code back within its 15 minutes.
    /// </summary>
    public static bool Matches(string storedHash, string typedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(storedHash), Encoding.ASCII.GetBytes(typedHash));

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
