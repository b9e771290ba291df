using System.Net;
using System.Text.Json;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Points.PointsApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Points;

/// <summary>
/// Every caller-chosen id with a control character (a trailing newline passed a regex ending in <c>$</c>,
/// and Table Storage then refused the key with a 500) is a 400 <c>invalid_request</c>; lists are bounded.
/// </summary>
public sealed class IdFieldFuzzTests(PointsApiFixture app) : IClassFixture<PointsApiFixture>
{
    public static TheoryData<string> ControlCharacters => new() { "\n", "\r", "\t", "\0", "\u001f", "\u0085", "\u2028" };

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public async Task A_merchant_id_with_a_control_character_is_invalid_request(string control)
    {
        var response = await app.SendAsync(HttpMethod.Post, "api/points/merchants", new { merchantId = "shop-x" + control, name = "shop", municipalityCode = "131016" }, AdminKey);

        await AssertInvalidRequestAsync(response);
    }

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public async Task A_facility_id_with_a_control_character_is_invalid_request(string control)
    {
        var response = await app.SendAsync(HttpMethod.Post, "api/mykey/facilities", new { facilityId = "lib-x" + control, name = "図書館", municipalityCode = "131016" }, AdminKey, idempotencyKey: Guid.NewGuid().ToString("N"));

        await AssertInvalidRequestAsync(response);
    }

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public async Task A_user_number_with_a_control_character_is_invalid_request(string control)
    {
        var registered = await app.SendAsync(HttpMethod.Post, "api/mykey/facilities", new { facilityId = "lib-fuzz", name = "図書館", municipalityCode = "131016" }, AdminKey, idempotencyKey: "lib-fuzz");
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var me = await app.NewCitizenAsync();

        var response = await app.SendAsync(HttpMethod.Post, "api/mykey/facilities/lib-fuzz/links", new { userNumber = "U-1" + control }, bearerFor: me, idempotencyKey: Guid.NewGuid().ToString("N"));

        await AssertInvalidRequestAsync(response);
    }

    [Fact]
    public async Task Six_hundred_terminal_clients_are_invalid_request()
    {
        var terminals = Enumerable.Range(0, 600).Select(i => $"terminal-{i:D4}-{new string('t', 48)}").ToArray();

        var response = await app.SendAsync(HttpMethod.Post, "api/mykey/facilities", new { facilityId = "lib-many", name = "図書館", municipalityCode = "131016", terminalClientIds = terminals }, AdminKey, idempotencyKey: "lib-many");

        await AssertInvalidRequestAsync(response);
    }

    private static async Task AssertInvalidRequestAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("invalid_request", JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
    }
}
