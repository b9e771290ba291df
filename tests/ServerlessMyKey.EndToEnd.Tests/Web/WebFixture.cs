using Microsoft.Playwright;
using ServerlessMyKey.EndToEnd.Tests.Childcare;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>
/// The real app and the built front ends in one DevHost, with the child-care municipality and the
/// mailbox sender of <see cref="ChildcareApiFixture"/> (Chiyoda, 131016) plus the city's console client
/// (points grants, certificate watches), and one Chromium for the whole collection.
/// </summary>
public sealed class WebFixture : ChildcareApiFixture
{
    public const string StaffKey = "e2e-web-city-staff-key-000000000";
    public const string AllowedOrigin = "https://console.example.lg.jp";

    public ChromiumFixture Chromium { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>(base.Settings())
    {
        ["Clients:e2e-web-city:ApiKey"] = StaffKey,
        ["Clients:e2e-web-city:Roles"] = "points.credit,certificates.status",
        ["Clients:e2e-web-city:WebhookUrl"] = "http://127.0.0.1:9/hooks/city",
        ["Clients:e2e-web-city:WebhookSecret"] = "e2e-web-city-webhook-secret-0000000000",
        ["Points:Municipalities:131016:ExpiryRule"] = "EndOfNextFiscalYear",
        ["Points:Municipalities:131016:GrantClients"] = "e2e-web-city",
        ["Cors:AllowedOrigins"] = AllowedOrigin,
    };

    public override async Task InitializeAsync()
    {
        await Chromium.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>A page of this DevHost: a phone by default.</summary>
    public Task<IPage> NewPageAsync(bool phone = true) => Chromium.NewPageAsync(Host.BaseAddress, phone);
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebFixture>
{
    public const string Name = "web";
}
