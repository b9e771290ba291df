using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Points.PointsApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Points;

/// <summary>The Points API over real HTTP through the DevHost, on Azurite (citizen tokens from the test authenticator).</summary>
public sealed class PointsApiTests(PointsApiFixture app) : IClassFixture<PointsApiFixture>
{

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
    }

    private async Task EnsureMerchantsAsync()
    {
        foreach (var (merchant, code, client) in new[] { ("shop-chiyoda", "131016", "shop-chiyoda"), ("shop-sapporo", "011002", "shop-sapporo") })
        {
            var response = await app.SendAsync(HttpMethod.Post, "api/points/merchants", new { merchantId = merchant, name = merchant, municipalityCode = code, clientId = client }, AdminKey);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_citizens_points_flow_from_conversion_to_debit()
    {
        await EnsureMerchantsAsync();
        var me = await app.NewCitizenAsync();
        var path = $"api/points/accounts/{me}";

        var converted = await app.SendAsync(HttpMethod.Post, path + "/credits", new { amount = 1000, source = new { kind = "partner", id = "airline-a" } }, PartnerKey, idempotencyKey: "conv-1");
        Assert.Equal(HttpStatusCode.Created, converted.StatusCode);
        Assert.Equal(1000, (await converted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetProperty("holding").GetInt64());

        var assigned = await app.SendAsync(HttpMethod.Post, path + "/assignments", new { municipalityCode = "131016", amount = 600 }, bearerFor: me, idempotencyKey: "assign-1");
        Assert.Equal(HttpStatusCode.Created, assigned.StatusCode);

        var debit = new { amount = 250, merchantId = "shop-chiyoda" };
        var debited = await app.SendAsync(HttpMethod.Post, path + "/debits", debit, ShopKey, me, "pay-1");
        Assert.Equal(HttpStatusCode.Created, debited.StatusCode);
        var body = await debited.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"{me}-3", body.GetProperty("entryId").GetString());
        var chiyoda = body.GetProperty("balance").GetProperty("municipalities")[0];
        Assert.Equal(("131016", 350L), (chiyoda.GetProperty("municipalityCode").GetString(), chiyoda.GetProperty("available").GetInt64()));

        var replay = await app.SendAsync(HttpMethod.Post, path + "/debits", debit, ShopKey, me, "pay-1");
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(await debited.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());

        var reused = await app.SendAsync(HttpMethod.Post, path + "/debits", new { amount = 251, merchantId = "shop-chiyoda" }, ShopKey, me, "pay-1");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "idempotency_key_reused"), (reused.StatusCode, await CodeAsync(reused)));

        var tooMuch = await app.SendAsync(HttpMethod.Post, path + "/debits", new { amount = 351, merchantId = "shop-chiyoda" }, ShopKey, me, "pay-2");
        Assert.Equal((HttpStatusCode.Conflict, "insufficient_balance"), (tooMuch.StatusCode, await CodeAsync(tooMuch)));

        var statement = await (await app.SendAsync(HttpMethod.Get, path + "?limit=2", bearerFor: me)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["debit", "assignment"], statement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(400, statement.GetProperty("balance").GetProperty("holding").GetInt64());
        var older = await (await app.SendAsync(HttpMethod.Get, path + "?limit=2&continuationToken=" + statement.GetProperty("continuationToken").GetString(), bearerFor: me))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["partner_conversion"], older.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.False(older.TryGetProperty("continuationToken", out _));
    }

    [Fact]
    public async Task Debits_need_the_merchants_key_and_the_citizens_own_token()
    {
        await EnsureMerchantsAsync();
        var me = await app.NewCitizenAsync();
        var path = $"api/points/accounts/{me}/debits";
        var debit = new { amount = 1, merchantId = "shop-chiyoda" };

        var noToken = await app.SendAsync(HttpMethod.Post, path, debit, ShopKey, idempotencyKey: "k1");
        var noKey = await app.SendAsync(HttpMethod.Post, path, debit, bearerFor: me, idempotencyKey: "k1");
        var wrongRole = await app.SendAsync(HttpMethod.Post, path, debit, AuditorKey, me, "k1");
        var othersToken = await app.SendAsync(HttpMethod.Post, path, debit, ShopKey, await app.NewCitizenAsync(), "k1");
        var othersShop = await app.SendAsync(HttpMethod.Post, path, debit, OtherShopKey, me, "k1");
        var noIdempotencyKey = await app.SendAsync(HttpMethod.Post, path, debit, ShopKey, me);

        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), (noToken.StatusCode, await CodeAsync(noToken)));
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), (noKey.StatusCode, await CodeAsync(noKey)));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (wrongRole.StatusCode, await CodeAsync(wrongRole)));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (othersToken.StatusCode, await CodeAsync(othersToken)));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (othersShop.StatusCode, await CodeAsync(othersShop)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (noIdempotencyKey.StatusCode, await CodeAsync(noIdempotencyKey)));
    }

    [Fact]
    public async Task A_citizen_reads_only_their_own_account_and_an_auditor_reads_any()
    {
        var me = await app.NewCitizenAsync();

        var own = await app.SendAsync(HttpMethod.Get, $"api/points/accounts/{me}", bearerFor: me);
        var others = await app.SendAsync(HttpMethod.Get, $"api/points/accounts/{me}", bearerFor: await app.NewCitizenAsync());
        var auditor = await app.SendAsync(HttpMethod.Get, $"api/points/accounts/{me}", apiKey: AuditorKey);
        var shop = await app.SendAsync(HttpMethod.Get, $"api/points/accounts/{me}", apiKey: ShopKey);
        var garbage = await app.SendAsync(HttpMethod.Get, $"api/points/accounts/{me}?continuationToken=garbage", bearerFor: me);
        var badLimit = await app.SendAsync(HttpMethod.Get, $"api/points/accounts/{me}?limit=many", bearerFor: me);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(me, (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("myKeyId").GetString());
        await ProblemAssert.ExactAsync(others, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, auditor.StatusCode);
        await ProblemAssert.ExactAsync(shop, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (garbage.StatusCode, await CodeAsync(garbage)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (badLimit.StatusCode, await CodeAsync(badLimit)));
    }

    [Fact]
    public async Task The_citizen_sets_a_default_municipality_and_grants_go_straight_to_a_municipality()
    {
        var me = await app.NewCitizenAsync();

        var set = await app.SendAsync(HttpMethod.Put, $"api/points/accounts/{me}/default-municipality", new { municipalityCode = "011002" }, bearerFor: me);
        var unknown = await app.SendAsync(HttpMethod.Put, $"api/points/accounts/{me}/default-municipality", new { municipalityCode = "999997" }, bearerFor: me);
        var granted = await app.SendAsync(HttpMethod.Post, $"api/points/accounts/{me}/credits",
            new { amount = 300, source = new { kind = "municipality", id = "checkup-2025" }, municipalityCode = "011002" }, AdminKey, idempotencyKey: "grant-1");

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("011002", (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("defaultMunicipalityCode").GetString());
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "unknown_municipality"), (unknown.StatusCode, await CodeAsync(unknown)));
        var municipality = (await granted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetProperty("municipalities")[0];
        Assert.Equal(300, municipality.GetProperty("available").GetInt64());
        Assert.Equal(300, municipality.GetProperty("expiring")[0].GetProperty("amount").GetInt64());
    }

    [Fact]
    public async Task Only_a_municipality_s_own_clients_grant_its_points()
    {
        var me = await app.NewCitizenAsync();
        object Grant(string code) => new { amount = 100, source = new { kind = "municipality", id = "volunteer-2025" }, municipalityCode = code };

        var partner = await app.SendAsync(HttpMethod.Post, $"api/points/accounts/{me}/credits", Grant("011002"), PartnerKey, idempotencyKey: "grant-by-partner");
        var otherCity = await app.SendAsync(HttpMethod.Post, $"api/points/accounts/{me}/credits", Grant("131016"), AdminKey, idempotencyKey: "grant-of-other-city");
        var ownCity = await app.SendAsync(HttpMethod.Post, $"api/points/accounts/{me}/credits", Grant("011002"), AdminKey, idempotencyKey: "grant-of-own-city");

        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (partner.StatusCode, await CodeAsync(partner)));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (otherCity.StatusCode, await CodeAsync(otherCity)));
        Assert.Equal(HttpStatusCode.Created, ownCity.StatusCode);
    }
}
