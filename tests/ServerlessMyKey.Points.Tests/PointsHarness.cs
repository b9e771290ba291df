using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Azure;
using ServerlessMyKey.Azure.Operations;
using ServerlessMyKey.Core.Facilities;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Operations;
using ServerlessMyKey.Core.Points;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Points.Tests;

/// <summary>
/// The points and facility services as the app composes them (AddPoints, AddFacilities) on the
/// shared test Azurite, with tables of their own and a fake clock. Nothing of our storage is mocked.
/// </summary>
public sealed class PointsHarness : IAsyncLifetime
{
    public const string Chiyoda = "131016";
    public const string Sapporo = "011002";
    public const string Osaka = "271004";

    /// <summary>2025-05-10 12:00 JST: fiscal year 2025, whose next fiscal year ends 2027-03-31.</summary>
    public static readonly DateTimeOffset Start = new(2025, 5, 10, 3, 0, 0, TimeSpan.Zero);

    public static readonly ServiceClient Admin = new("city-admin", new HashSet<string> { ServiceRoles.Admin });
    public static readonly ServiceClient Partner = new("airline-a", new HashSet<string> { PointsRoles.Credit });

    /// <summary>Sapporo's own client, listed in <c>Points:Municipalities:011002:GrantClients</c>.</summary>
    public static readonly ServiceClient SapporoCity = new("sapporo-city", new HashSet<string> { PointsRoles.Credit });

    private ServiceProvider _services = null!;

    public FakeTimeProvider Clock { get; } = new(Start);

    public PointsLedgerService Points => _services.GetRequiredService<PointsLedgerService>();

    public FacilityService Facilities => _services.GetRequiredService<FacilityService>();

    public IPointsLedgerStore Ledger => _services.GetRequiredService<IPointsLedgerStore>();

    public IFacilityStore FacilityStore => _services.GetRequiredService<IFacilityStore>();

    /// <summary>Prefix of this harness's tables (every harness has tables of its own).</summary>
    public string TablePrefix { get; private set; } = string.Empty;

    public TableServiceClient Tables => _services.GetRequiredService<TableServiceClient>();

    /// <summary>Export and restore of this harness's tables (AddOperations with the same prefix).</summary>
    public ITableBackup Backup => _services.GetRequiredService<ITableBackup>();

    public IIdempotencyCleanup IdempotencyCleanup => _services.GetRequiredService<IIdempotencyCleanup>();

    public IIdempotencyClaims Claims => _services.GetRequiredService<IIdempotencyClaims>();

    /// <summary>A points service on the same tables with its own clock (for tests that run many clocks).</summary>
    public PointsLedgerService PointsWithClock(TimeProvider clock) => new(
        Ledger,
        _services.GetRequiredService<IPointsDueIndex>(),
        _services.GetRequiredService<IMerchantStore>(),
        _services.GetRequiredService<IIdempotencyClaims>(),
        _services.GetRequiredService<PointsRules>(),
        clock);

    /// <summary>The debit client of the merchant registered for a municipality by <see cref="InitializeAsync"/>.</summary>
    public static ServiceClient MerchantClient(string municipalityCode) => new("shop-" + municipalityCode, new HashSet<string> { PointsRoles.Debit });

    public static string MerchantId(string municipalityCode) => "shop-" + municipalityCode;

    public static string NewMyKeyId() => Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    public async Task InitializeAsync()
    {
        TablePrefix = AzuriteServer.UniqueName("t");
        _services = await ComposeAsync();

        foreach (var code in new[] { Chiyoda, Sapporo, Osaka })
        {
            await Points.RegisterMerchantAsync(new MerchantRegistration(MerchantId(code), "Shop in " + code, code, MerchantClient(code).ClientId), null, Admin);
        }
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    /// <summary>
    /// The services as another process on the same tables composes them: nothing this harness's services cached
    /// (e.g. what the idempotency claims learnt of the table's layout) is shared. The caller disposes it.
    /// </summary>
    public Task<ServiceProvider> NewProcessAsync() => ComposeAsync();

    private async Task<ServiceProvider> ComposeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Points:Municipalities:{Chiyoda}:ExpiryRule"] = "EndOfNextFiscalYear",
            [$"Points:Municipalities:{Sapporo}:ExpiryRule"] = "Days:30",
            [$"Points:Municipalities:{Sapporo}:GrantClients"] = SapporoCity.ClientId + ", another-client",
            [$"Points:Municipalities:{Osaka}:ExpiryRule"] = "None",
        }).Build();
        var connectionString = await AzuriteServer.GetConnectionStringAsync();
        return new ServiceCollection()
            .AddSingleton(new TableServiceClient(connectionString))
            .AddSingleton(new BlobServiceClient(connectionString))
            .AddSingleton(new QueueServiceClient(connectionString))
            .AddSingleton<TimeProvider>(Clock)
            .AddPoints(configuration, TablePrefix)
            .AddFacilities(TablePrefix)
            .AddOperations(configuration, TablePrefix)
            .BuildServiceProvider();
    }

    public Task<StoredResponse> GrantAsync(string myKeyId, string municipalityCode, int amount, string? key = null) =>
        Points.CreditAsync(myKeyId, new CreditRequest(amount, new PointsSource(PointsSource.Municipality, "grant-" + municipalityCode), municipalityCode), key ?? NewKey(), Admin);

    public Task<StoredResponse> ConvertAsync(string myKeyId, int amount, string? key = null) =>
        Points.CreditAsync(myKeyId, new CreditRequest(amount, new PointsSource(PointsSource.Partner, "airline-a")), key ?? NewKey(), Partner);

    public Task<StoredResponse> DebitAsync(string myKeyId, string municipalityCode, int amount, string? key = null) =>
        Points.DebitAsync(myKeyId, new DebitRequest(amount, MerchantId(municipalityCode)), key ?? NewKey(), MerchantClient(municipalityCode));

    public static string NewKey() => Guid.NewGuid().ToString("N");

    /// <summary>Every entry of an account, oldest first, read page by page through the service.</summary>
    public async Task<List<PointsEntryView>> AllEntriesAsync(string myKeyId)
    {
        var entries = new List<PointsEntryView>();
        string? token = null;
        do
        {
            var page = await Points.GetStatementAsync(myKeyId, token, PointsLedgerService.MaxStatementLimit);
            entries.AddRange(page.Entries);
            token = page.ContinuationToken;
        }
        while (token is not null);

        entries.Reverse();
        return entries;
    }
}
