using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.EndToEnd.Tests.Points;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Points.PointsApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Auth;

/// <summary>
/// A token issued for a client (a login whose challenge named it) works only at that client, and never
/// on the citizen's own routes (docs/auth.md "Token binding").
/// </summary>
public sealed class TokenBindingTests(PointsApiFixture app) : IClassFixture<PointsApiFixture>
{
    private static readonly CardHolder Holder = new("高橋　二郎", "東京都千代田区霞が関2-1-2", new DateOnly(1982, 2, 2), "male");

    [Fact]
    public async Task A_token_issued_for_a_merchant_is_refused_by_another_merchant()
    {
        var (myKeyId, token) = await LoginForAsync("shop-chiyoda");

        var response = await SendAsync(HttpMethod.Post, $"api/points/accounts/{myKeyId}/debits", token, new { amount = 1, merchantId = "shop-sapporo" }, OtherShopKey);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Unauthorized, "token_client_mismatch");
    }

    [Fact]
    public async Task A_token_issued_for_a_merchant_is_refused_on_a_citizen_route()
    {
        var (_, token) = await LoginForAsync("shop-chiyoda");

        await ProblemAssert.ExactAsync(await SendAsync(HttpMethod.Get, "api/me", token), HttpStatusCode.Unauthorized, "token_client_mismatch");
    }

    [Fact]
    public async Task A_token_issued_for_a_merchant_passes_authentication_at_that_merchant()
    {
        var registered = await app.SendAsync(HttpMethod.Post, "api/points/merchants", new { merchantId = "binding-chiyoda", name = "binding-chiyoda", municipalityCode = "131016", clientId = "shop-chiyoda" }, AdminKey);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var (myKeyId, token) = await LoginForAsync("shop-chiyoda");

        var response = await SendAsync(HttpMethod.Post, $"api/points/accounts/{myKeyId}/debits", token, new { amount = 1, merchantId = "binding-chiyoda" }, ShopKey);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Conflict, "insufficient_balance");
    }

    private async Task<(string MyKeyId, string Token)> LoginForAsync(string clientId)
    {
        var session = await new MyKeyApiClient(app.Http).LoginAsync(app.Pki.IssueCard(Holder), clientId);
        return (session.GetProperty("myKeyId").GetString()!, session.GetProperty("accessToken").GetString()!);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        return await app.Http.SendAsync(request);
    }
}
