using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Points;

/// <summary>
/// The real app in a DevHost over HTTP with service clients for every points and facility role.
/// Until the login feature lands, citizens authenticate with <see cref="TestCitizens"/> — the only
/// service replaced — so the routes' citizen checks (token present, MyKey ID matching) are exercised.
/// </summary>
public sealed class PointsApiFixture : IAsyncLifetime
{
    public const string AdminKey = "e2e-city-admin-key-0000000000";
    public const string PartnerKey = "e2e-partner-key-000000000000000";
    public const string ShopKey = "e2e-shop-chiyoda-key-0000000000";
    public const string OtherShopKey = "e2e-shop-sapporo-key-0000000000";
    public const string AuditorKey = "e2e-auditor-key-00000000000000";
    public const string TerminalKey = "e2e-library-terminal-key-000000";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "smk-e2e-points-" + Guid.NewGuid().ToString("N")[..8]);

    public DevHostApp Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
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
            ["Clients:library-terminal:ApiKey"] = TerminalKey,
            ["Clients:library-terminal:Roles"] = "facilities.checkin",
            ["Points:Municipalities:131016:ExpiryRule"] = "EndOfNextFiscalYear",
            ["Points:Municipalities:011002:ExpiryRule"] = "Days:180",
        };
        Host = await DevHostFixture.StartAsync(await AzuriteServer.GetConnectionStringAsync(), _dataPath, settings,
            services => services.AddSingleton<ICitizenAuthenticator, TestCitizens>());
        Http = new HttpClient { BaseAddress = Host.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    /// <summary>The bearer header of a test citizen.</summary>
    public static string Bearer(string myKeyId) => "Bearer " + TestCitizens.TokenPrefix + myKeyId;

    /// <summary>Accepts <c>Bearer test-citizen:&lt;MyKey ID&gt;</c>; anything else is 401, as the real authenticator answers.</summary>
    private sealed class TestCitizens : ICitizenAuthenticator
    {
        public const string TokenPrefix = "test-citizen:";

        public Task<Citizen> AuthenticateAsync(string? authorizationHeader, CancellationToken cancellationToken = default) =>
            authorizationHeader is not null && authorizationHeader.StartsWith("Bearer " + TokenPrefix, StringComparison.Ordinal)
                ? Task.FromResult(new Citizen(authorizationHeader[("Bearer " + TokenPrefix).Length..], "0A1B2C3D", DateTimeOffset.UtcNow.AddYears(1)))
                : throw new ServiceException(ErrorCodes.Unauthenticated, "A valid bearer token is required.");
    }
}
