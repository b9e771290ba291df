using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>
/// A delegation's history (one row per event) is read a page at a time: <c>limit</c> and the
/// <c>historyContinuationToken</c> of the previous page (issue #17, finding 12).
/// </summary>
public sealed class DelegationHistoryPagingTests(DelegationApiFixture app) : IClassFixture<DelegationApiFixture>
{
    private static readonly byte[] ActData = Encoding.UTF8.GetBytes("""{"tender":"R8-0042"}""");

    [Fact]
    public async Task The_history_is_read_page_by_page_to_its_end()
    {
        var (_, _, agent, id) = await app.ActiveDelegationAsync();
        var number = (await GetAsync($"api/delegations/{id}")).GetProperty("number").GetString()!;
        for (var i = 0; i < 4; i++)
        {
            var act = new { number, act = new { procedure = "procurement.bid", agency = "総務省" }, data = Convert.ToBase64String(ActData), signature = Sign(agent, ActData) };
            Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Post, "api/delegations/verifications", act, apiKey: VerifierKey)).StatusCode);
        }

        var pages = new List<JsonElement>();
        var path = $"api/delegations/{id}?limit=2";
        while (true)
        {
            var page = await GetAsync(path);
            pages.Add(page);
            if (!page.TryGetProperty("historyContinuationToken", out var token))
            {
                break;
            }

            path = $"api/delegations/{id}?limit=2&continuationToken={Uri.EscapeDataString(token.GetString()!)}";
        }

        Assert.All(pages.SkipLast(1), page => Assert.Equal(2, page.GetProperty("history").GetArrayLength()));
        var events = pages.SelectMany(page => page.GetProperty("history").EnumerateArray()).ToList();
        Assert.Equal(4, events.Count(e => e.GetProperty("kind").GetString() == "act-verified"));
        Assert.Equal(["created", "accepted"], events.Take(2).Select(e => e.GetProperty("kind").GetString()));
        Assert.True(pages.Count >= 3);
    }

    [Fact]
    public async Task A_limit_out_of_range_or_a_token_this_route_did_not_give_is_400()
    {
        var (_, _, _, id) = await app.ActiveDelegationAsync();
        var forged = Convert.ToBase64String(Encoding.ASCII.GetBytes("delegation")).TrimEnd('=');

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/delegations/{id}?limit=0", apiKey: VerifierKey), HttpStatusCode.BadRequest, "invalid_request");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/delegations/{id}?limit=501", apiKey: VerifierKey), HttpStatusCode.BadRequest, "invalid_request");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/delegations/{id}?continuationToken={forged}", apiKey: VerifierKey), HttpStatusCode.BadRequest, "invalid_request");
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        var response = await app.SendAsync(HttpMethod.Get, path, apiKey: VerifierKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
