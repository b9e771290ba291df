using System.Globalization;
using ServerlessMyKey.Core.Disaster.Cap;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// What a CAP alert means here: the municipalities and districts it targets (<c>&lt;geocode&gt;</c>
/// <c>JISX0402</c>, 5 or 6 digits, and <c>districtCode</c> in the same <c>&lt;area&gt;</c>), the evacuation
/// level (<c>&lt;parameter&gt;</c> <c>EvacuationLevel</c> 3–5), the shelters (<c>&lt;parameter&gt;</c>
/// <c>Shelter</c>, repeatable), the earliest <c>expires</c>, and whether TVs receive it.
/// </summary>
public sealed record AlertInterpretation(
    IReadOnlyList<string> MunicipalityCodes,
    IReadOnlyList<string> DistrictTargets,
    int? Level,
    IReadOnlyList<string> Shelters,
    DateTimeOffset? Expires,
    string? Headline)
{
    public const string JisX0402 = "JISX0402";
    public const string DistrictCode = "districtCode";

    /// <summary>Most district targets of one alert (400 × "363880:" and a 64-character code fit one 64 KiB Table property).</summary>
    public const int MaxDistricts = 400;
    public const string EvacuationLevel = "EvacuationLevel";
    public const string Shelter = "Shelter";

    /// <summary>Reads the alert against the configured municipalities (6-digit codes; a 5-digit JIS X 0402 code matches its first 5).</summary>
    public static AlertInterpretation Of(CapAlert alert, IEnumerable<string> configuredMunicipalities)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var configured = configuredMunicipalities.ToList();
        var municipalities = new SortedSet<string>(StringComparer.Ordinal);
        var districts = new SortedSet<string>(StringComparer.Ordinal);
        int? level = null;
        var shelters = new List<string>();
        for (var i = 0; i < alert.Infos.Count; i++)
        {
            var info = alert.Infos[i];
            for (var p = 0; p < info.Parameters.Count; p++)
            {
                var parameter = info.Parameters[p];
                if (parameter.ValueName == EvacuationLevel)
                {
                    level = int.TryParse(parameter.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 3 and <= 5
                        ? value
                        : throw new ServiceException(ErrorCodes.InvalidCap, $"CAP element alert/info[{i + 1}]/parameter[{p + 1}]/value: EvacuationLevel must be 3, 4 or 5.");
                }
                else if (parameter.ValueName == Shelter && !shelters.Contains(parameter.Value) && shelters.Count < 20)
                {
                    shelters.Add(parameter.Value.Length <= 200 ? parameter.Value : parameter.Value[..200]);
                }
            }

            for (var a = 0; a < info.Areas.Count; a++)
            {
                var area = info.Areas[a];
                var codes = area.Geocodes.Where(g => g.ValueName == JisX0402).Select((g, n) => Match(g.Value, configured, $"alert/info[{i + 1}]/area[{a + 1}]/geocode")).ToList();
                var areaDistricts = area.Geocodes.Where(g => g.ValueName == DistrictCode).Select(g => g.Value).ToList();
                if (areaDistricts.Count > 0 && codes.Count == 0)
                {
                    throw new ServiceException(ErrorCodes.InvalidCap, $"CAP element alert/info[{i + 1}]/area[{a + 1}]/geocode: a districtCode needs a JISX0402 municipality code in the same area.");
                }

                foreach (var code in codes.OfType<string>())
                {
                    municipalities.Add(code);
                    foreach (var district in areaDistricts)
                    {
                        if (!Validation.RequestFields.IsId(district))
                        {
                            throw new ServiceException(ErrorCodes.InvalidCap, $"CAP element alert/info[{i + 1}]/area[{a + 1}]/geocode: districtCode must be 1–64 letters, digits, '.', '_' or '-'.");
                        }

                        if (districts.Add(code + ":" + district) && districts.Count > MaxDistricts)
                        {
                            // Stored joined in one Table property (64 KiB, which Azurite does not enforce).
                            throw new ServiceException(ErrorCodes.InvalidCap, $"CAP element alert/info[{i + 1}]/area[{a + 1}]/geocode: an alert may name {MaxDistricts} districts.");
                        }
                    }
                }
            }
        }

        var expires = alert.Infos.Select(i => i.Expires).Where(e => e is not null).Min();
        var headline = alert.Infos.Select(i => i.Headline).FirstOrDefault(h => h is not null);
        return new AlertInterpretation([.. municipalities], [.. districts], level, shelters, expires, headline);
    }

    /// <summary>Whether a TV of this municipality and district is a target.</summary>
    public static bool Targets(IReadOnlyList<string> municipalities, IReadOnlyList<string> districtTargets, string municipalityCode, string districtCode)
    {
        if (!municipalities.Contains(municipalityCode, StringComparer.Ordinal))
        {
            return false;
        }

        var prefix = municipalityCode + ":";
        return !districtTargets.Any(d => d.StartsWith(prefix, StringComparison.Ordinal)) || districtTargets.Contains(prefix + districtCode, StringComparer.Ordinal);
    }

    private static string? Match(string value, List<string> configured, string path)
    {
        if (value.Length is not (5 or 6) || !value.All(char.IsAsciiDigit))
        {
            throw new ServiceException(ErrorCodes.InvalidCap, $"CAP element {path}: a JISX0402 value is a 5- or 6-digit municipality code.");
        }

        // A code of a municipality that does not take part is not ours to deliver to: ignored.
        return configured.FirstOrDefault(c => c.StartsWith(value[..5], StringComparison.Ordinal) && (value.Length == 5 || c == value));
    }
}
