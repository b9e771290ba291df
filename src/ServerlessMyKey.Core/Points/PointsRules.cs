using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Points;

/// <summary>
/// The configured rules of MyKey points: how long converted partner points wait in holding
/// (留保ポイント口座), which municipalities take part with their expiry rule, and which service clients
/// may grant each municipality's points (行政ポイント).
/// </summary>
public sealed class PointsRules
{
    /// <summary>DOMAIN.md: converted points wait up to 14 days for the holder to pick a municipality.</summary>
    public static readonly TimeSpan DefaultHoldingPeriod = TimeSpan.FromDays(14);

    private readonly IReadOnlyDictionary<string, ExpiryRule> _municipalities;
    private readonly IReadOnlyDictionary<string, IReadOnlySet<string>> _grantClients;

    /// <param name="grantClients">Per municipality code, the service clients that may grant its points besides <c>admin</c>.</param>
    public PointsRules(IReadOnlyDictionary<string, ExpiryRule> municipalities, TimeSpan? holdingPeriod = null, IReadOnlyDictionary<string, IReadOnlySet<string>>? grantClients = null)
    {
        ArgumentNullException.ThrowIfNull(municipalities);
        foreach (var code in municipalities.Keys)
        {
            if (!IsMunicipalityCode(code))
            {
                throw new ArgumentException($"'{code}' is not a municipality code (全国地方公共団体コード, 6 digits).", nameof(municipalities));
            }
        }

        _municipalities = municipalities;
        _grantClients = grantClients ?? new Dictionary<string, IReadOnlySet<string>>();
        HoldingPeriod = holdingPeriod ?? DefaultHoldingPeriod;
        if (HoldingPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(holdingPeriod), "The holding period must be positive.");
        }
    }

    public TimeSpan HoldingPeriod { get; }

    public IEnumerable<string> MunicipalityCodes => _municipalities.Keys;

    /// <summary>Whether <paramref name="code"/> has the form of a 全国地方公共団体コード (6 digits).</summary>
    public static bool IsMunicipalityCode(string? code) => code is { Length: 6 } && code.All(char.IsAsciiDigit);

    /// <summary>The expiry rule of a taking-part municipality; 422 <c>unknown_municipality</c> otherwise.</summary>
    public ExpiryRule ExpiryRuleOf(string municipalityCode) =>
        municipalityCode is not null && _municipalities.TryGetValue(municipalityCode, out var rule)
            ? rule
            : throw new ServiceException(ErrorCodes.UnknownMunicipality, "The municipality does not take part in MyKey points.");

    /// <summary>The code when the municipality takes part; otherwise 422 <c>unknown_municipality</c>.</summary>
    public string RequireMunicipality(string? municipalityCode)
    {
        if (!IsMunicipalityCode(municipalityCode))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "municipalityCode must be a 6-digit municipality code.");
        }

        _ = ExpiryRuleOf(municipalityCode!);
        return municipalityCode!;
    }

    /// <summary>
    /// A municipal grant is the municipality's own act: only its clients (<c>Points:Municipalities:&lt;code&gt;:GrantClients</c>)
    /// or an <c>admin</c> may make it; anyone else is 403 <c>forbidden</c>, even with <c>points.credit</c>.
    /// </summary>
    public void RequireGrantor(string municipalityCode, ServiceClient caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Roles.Contains(ServiceRoles.Admin)
            || (_grantClients.TryGetValue(municipalityCode, out var clients) && clients.Contains(caller.ClientId)))
        {
            return;
        }

        throw new ServiceException(ErrorCodes.Forbidden, $"The client may not grant points of municipality {municipalityCode} (Points:Municipalities:{municipalityCode}:GrantClients).");
    }
}
