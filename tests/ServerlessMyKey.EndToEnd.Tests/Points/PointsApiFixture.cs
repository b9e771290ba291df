namespace ServerlessMyKey.EndToEnd.Tests.Points;

/// <summary>
/// The real app in a DevHost over HTTP with service clients for every points and facility role.
/// Citizens are real: each logs in with a new virtual card of the DevHost's development PKI.
/// </summary>
public sealed class PointsApiFixture : DevHostFixture
{
    public const string AdminKey = "e2e-city-admin-key-0000000000";
    public const string PartnerKey = "e2e-partner-key-000000000000000";
    public const string ShopKey = "e2e-shop-chiyoda-key-0000000000";
    public const string OtherShopKey = "e2e-shop-sapporo-key-0000000000";
    public const string AuditorKey = "e2e-auditor-key-00000000000000";
    public const string TerminalKey = "e2e-library-terminal-key-000000";
    public const string OtherCityKey = "e2e-other-city-key-00000000000";

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Clients:e2e-city:ApiKey"] = AdminKey,
        ["Clients:e2e-city:Roles"] = "points.admin,points.credit,facilities.admin",
        ["Clients:e2e-partner:ApiKey"] = PartnerKey,
        ["Clients:e2e-partner:Roles"] = "points.credit",
        ["Clients:shop-chiyoda:ApiKey"] = ShopKey,
        ["Clients:shop-chiyoda:Roles"] = "points.debit",
        ["Clients:shop-sapporo:ApiKey"] = OtherShopKey,
        ["Clients:shop-sapporo:Roles"] = "points.debit",
        ["Clients:e2e-auditor:ApiKey"] = AuditorKey,
        ["Clients:e2e-auditor:Roles"] = "points.read",
        ["Clients:e2e-other-city:ApiKey"] = OtherCityKey,
        ["Clients:e2e-other-city:Roles"] = "facilities.admin",
        ["Clients:library-terminal:ApiKey"] = TerminalKey,
        ["Clients:library-terminal:Roles"] = "facilities.checkin",
        ["Points:Municipalities:131016:ExpiryRule"] = "EndOfNextFiscalYear",
        ["Points:Municipalities:011002:ExpiryRule"] = "Days:180",
        ["Points:Municipalities:011002:GrantClients"] = "e2e-city",
    };
}
