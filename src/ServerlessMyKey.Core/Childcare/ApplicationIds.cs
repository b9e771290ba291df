using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>
/// Identifiers of the one-stop service. An application id names its municipality
/// (<c>131016-&lt;24 hex&gt;</c>), so the municipality's partition is known from the id alone. A 受付番号
/// (receipt number) is what the parent quotes at the counter. A request code is what the parent
/// passes to the employer's HR (16 characters of an alphabet without look-alikes, in groups of four).
/// </summary>
public static partial class ApplicationIds
{
    private const string CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>A new id, or (with an idempotency key hash) the id that key always gives.</summary>
    public static string NewApplicationId(string municipalityCode, string? keyHash) =>
        municipalityCode + "-" + (keyHash is null
            ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("application\n" + keyHash)))[..24]);

    public static bool IsApplicationId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) => value is not null && ApplicationIdPattern().IsMatch(value);

    public static string MunicipalityOf(string applicationId) => applicationId[..6];

    /// <summary>受付番号: the municipality, the JST submission date and 8 digits derived from the id.</summary>
    public static string ReceiptNumber(string applicationId, DateTimeOffset submittedAt)
    {
        var digits = BitConverter.ToUInt32(SHA256.HashData(Encoding.ASCII.GetBytes(applicationId)), 0) % 100_000_000;
        return string.Create(CultureInfo.InvariantCulture, $"{MunicipalityOf(applicationId)}-{ChildAllowanceRule.JapanDate(submittedAt):yyyyMMdd}-{digits:D8}");
    }

    public static string NewRequestCode()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        var code = new StringBuilder(19);
        for (var i = 0; i < 16; i++)
        {
            if (i is 4 or 8 or 12)
            {
                code.Append('-');
            }

            code.Append(CodeAlphabet[bytes[i] % CodeAlphabet.Length]);
        }

        return code.ToString();
    }

    public static bool IsRequestCode(string? value) => value is not null && RequestCodePattern().IsMatch(value);

    public static bool IsMunicipalityCode([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) => value is not null && MunicipalityCodePattern().IsMatch(value);

    [GeneratedRegex(@"\A[0-9]{6}-[0-9a-f]{24}\z")]
    private static partial Regex ApplicationIdPattern();

    [GeneratedRegex(@"\A[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}\z")]
    private static partial Regex RequestCodePattern();

    [GeneratedRegex(@"\A[0-9]{6}\z")]
    private static partial Regex MunicipalityCodePattern();
}
