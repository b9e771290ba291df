using ServerlessMyKey.Testing;

namespace ServerlessMyKey.EndToEnd.Tests.Faults;

/// <summary>
/// The real app in a DevHost whose storage can be stopped and started again (<see cref="StorageOutage"/>
/// in front of the test Azurite), with a points admin, a merchant and a status-check client.
/// </summary>
public sealed class StorageOutageFixture : DevHostFixture
{
    public const string AdminKey = "fault-city-admin-key-000000000";
    public const string ShopKey = "fault-shop-chiyoda-key-00000000";
    public const string StatusKey = "fault-status-client-key-000000";
    public const string Chiyoda = "131016";

    public StorageOutage Storage { get; private set; } = null!;

    protected override async Task<string> StorageConnectionStringAsync()
    {
        Storage = StorageOutage.Start(await AzuriteServer.GetConnectionStringAsync());
        return Storage.ConnectionString;
    }

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Clients:fault-city:ApiKey"] = AdminKey,
        ["Clients:fault-city:Roles"] = "admin",
        ["Clients:shop-chiyoda:ApiKey"] = ShopKey,
        ["Clients:shop-chiyoda:Roles"] = "points.debit",
        ["Clients:fault-status:ApiKey"] = StatusKey,
        ["Clients:fault-status:Roles"] = "certificates.status",
        [$"Points:Municipalities:{Chiyoda}:ExpiryRule"] = "EndOfNextFiscalYear",
    };
}
