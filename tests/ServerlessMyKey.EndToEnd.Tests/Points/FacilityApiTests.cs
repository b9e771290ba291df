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
        Assert.Equal(HttpStatusCode.NotFound, notLinked.StatusCode);
        Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
        Assert.Equal("L-000123", (await mine.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userNumber").GetString());
        Assert.Equal(HttpStatusCode.Created, checkin.StatusCode);
        Assert.Equal("L-000123", (await checkin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userNumber").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, notATerminal.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
