using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Points.PointsApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Points;

/// <summary>Public-facility cards over real HTTP through the DevHost.</summary>
public sealed class FacilityApiTests(PointsApiFixture app) : IClassFixture<PointsApiFixture>
{
    [Fact]
    public async Task A_municipality_registers_a_library_a_citizen_links_and_the_terminal_resolves_them()
    {
        var facilityId = "lib-" + Guid.NewGuid().ToString("N")[..8];
        var me = await app.NewCitizenAsync();

        var registered = await app.SendAsync(HttpMethod.Post, "api/mykey/facilities",
            new { facilityId, name = "千代田図書館", municipalityCode = "131016", kind = "library", terminalClientIds = new[] { "library-terminal" } }, AdminKey);
        var notLinked = await app.SendAsync(HttpMethod.Post, $"api/mykey/facilities/{facilityId}/checkins", apiKey: TerminalKey, bearerFor: me);
        var linked = await app.SendAsync(HttpMethod.Post, $"api/mykey/facilities/{facilityId}/links", new { userNumber = "L-000123" }, bearerFor: me);
        var mine = await app.SendAsync(HttpMethod.Get, $"api/mykey/facilities/{facilityId}/links/me", bearerFor: me);
        var checkin = await app.SendAsync(HttpMethod.Post, $"api/mykey/facilities/{facilityId}/checkins", apiKey: TerminalKey, bearerFor: me);
        var notATerminal = await app.SendAsync(HttpMethod.Post, $"api/mykey/facilities/{facilityId}/checkins", apiKey: AdminKey, bearerFor: me);
        var anonymous = await app.SendAsync(HttpMethod.Get, $"api/mykey/facilities/{facilityId}/links/me");

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        await ProblemAssert.ExactAsync(notLinked, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
        Assert.Equal("L-000123", (await mine.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userNumber").GetString());
        Assert.Equal(HttpStatusCode.Created, checkin.StatusCode);
        Assert.Equal("L-000123", (await checkin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userNumber").GetString());
        await ProblemAssert.ExactAsync(notATerminal, HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ExactAsync(anonymous, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task The_registering_municipality_reads_the_check_in_log_newest_first_in_pages()
    {
        var facilityId = "gym-" + Guid.NewGuid().ToString("N")[..8];
        var me = await app.NewCitizenAsync();
        using (var registered = await app.SendAsync(HttpMethod.Post, "api/mykey/facilities",
            new { facilityId, name = "千代田体育館", municipalityCode = "131016", kind = "sports", terminalClientIds = new[] { "library-terminal" } }, AdminKey))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        (await app.SendAsync(HttpMethod.Post, $"api/mykey/facilities/{facilityId}/links", new { userNumber = "G-42" }, bearerFor: me)).Dispose();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var checkin = await app.SendAsync(HttpMethod.Post, $"api/mykey/facilities/{facilityId}/checkins", apiKey: TerminalKey, bearerFor: me);
            ids.Add((await checkin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checkinId").GetString()!);
        }

        var first = await LogAsync($"api/mykey/facilities/{facilityId}/checkins?limit=2", AdminKey);
        var second = await LogAsync($"api/mykey/facilities/{facilityId}/checkins?limit=2&after={first.GetProperty("next").GetString()}", AdminKey);

        Assert.Equal([ids[2], ids[1]], first.GetProperty("checkins").EnumerateArray().Select(c => c.GetProperty("checkinId").GetString()));
        Assert.Equal([ids[0]], second.GetProperty("checkins").EnumerateArray().Select(c => c.GetProperty("checkinId").GetString()));
        Assert.False(second.TryGetProperty("next", out _));
        var entry = first.GetProperty("checkins")[0];
        Assert.Equal(("G-42", "library-terminal"), (entry.GetProperty("userNumber").GetString(), entry.GetProperty("terminalClientId").GetString()));
        Assert.False(entry.TryGetProperty("myKeyId", out _)); // the municipality sees its own user numbers only

        using var otherCity = await app.SendAsync(HttpMethod.Get, $"api/mykey/facilities/{facilityId}/checkins", apiKey: OtherCityKey);
        using var terminal = await app.SendAsync(HttpMethod.Get, $"api/mykey/facilities/{facilityId}/checkins", apiKey: TerminalKey);
        using var badAfter = await app.SendAsync(HttpMethod.Get, $"api/mykey/facilities/{facilityId}/checkins?after=zzz", apiKey: AdminKey);
        using var badLimit = await app.SendAsync(HttpMethod.Get, $"api/mykey/facilities/{facilityId}/checkins?limit=201", apiKey: AdminKey);
        using var unknown = await app.SendAsync(HttpMethod.Get, "api/mykey/facilities/no-such-facility/checkins", apiKey: AdminKey);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (otherCity.StatusCode, await CodeAsync(otherCity)));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (terminal.StatusCode, await CodeAsync(terminal)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (badAfter.StatusCode, await CodeAsync(badAfter)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (badLimit.StatusCode, await CodeAsync(badLimit)));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (unknown.StatusCode, await CodeAsync(unknown)));
    }

    private async Task<JsonElement> LogAsync(string path, string apiKey)
    {
        using var response = await app.SendAsync(HttpMethod.Get, path, apiKey: apiKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
}
