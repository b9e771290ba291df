using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.EndToEnd.Tests.Points;

/// <summary>
/// The real app in a DevHost over HTTP with service clients for every points and facility role.
/// Until the login feature lands, citizens authenticate with <see cref="TestCitizens"/> — the only
/// service replaced — so the routes' citizen checks (token present, MyKey ID matching) are exercised.
/// </summary>
public sealed class PointsApiFixture : DevHostFixture
{
    public const string AdminKey = "e2e-city-admin-key-0000000000";
    public const string PartnerKey = "e2e-partner-key-000000000000000";
    public const string ShopKey = "e2e-shop-chiyoda-key-0000000000";
    public const string OtherShopKey = "e2e-shop-sapporo-key-0000000000";
    public const string AuditorKey = "e2e-auditor-key-00000000000000";
    public const string TerminalKey = "e2e-library-terminal-key-000000";

    /// <summary>The bearer header of a test citizen.</summary>
    public static string Bearer(string myKeyId) => "Bearer " + TestCitizens.TokenPrefix + myKeyId;

    /// <summary>Sends a request with an optional JSON body, API key, test citizen token and Idempotency-Key.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? apiKey = null, string? bearerFor = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        if (bearerFor is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", Bearer(bearerFor));
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Http.SendAsync(request);
    }

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
        ["Clients:library-terminal:ApiKey"] = TerminalKey,
        ["Clients:library-terminal:Roles"] = "facilities.checkin",
        ["Points:Municipalities:131016:ExpiryRule"] = "EndOfNextFiscalYear",
        ["Points:Municipalities:011002:ExpiryRule"] = "Days:180",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ICitizenAuthenticator, TestCitizens>();

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
