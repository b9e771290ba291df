using System.Net;
using System.Text.Json;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary><c>GET /api/childcare/applications</c> with a parent's bearer: the parent's own applications, newest first, paged.</summary>
public sealed class ParentApplicationListTests(ChildcareApiFixture app) : IClassFixture<ChildcareApiFixture>
{
    [Fact]
    public async Task A_parent_lists_exactly_their_own_applications_newest_first_in_the_municipality_list_s_shape()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var (otherId, other) = await app.NewCardholderAsync(Parent);
        var ids = new List<string>();
        foreach (var weeks in new[] { 10, 11, 12 })
        {
            ids.Add((await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Pregnancy(weeks)), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!);
        }

        var othersId = (await ResponseAssert.JsonAsync(await app.SubmitAsync(otherId, other, Pregnancy(13)), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!;

        var page = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications", bearerFor: parentId), HttpStatusCode.OK);

        Assert.Equal(["applications"], page.EnumerateObject().Select(p => p.Name));
        var listed = page.GetProperty("applications").EnumerateArray().ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), listed.Select(a => a.GetProperty("applicationId").GetString()));
        Assert.DoesNotContain(othersId, listed.Select(a => a.GetProperty("applicationId").GetString()));
        var newest = listed[0];
        Assert.Equal(["applicationId", "receiptNumber", "procedure", "status", "submittedAt", "updatedAt", "municipalityCode"], newest.EnumerateObject().Select(p => p.Name));
        Assert.Equal("pregnancy.notification", newest.GetProperty("procedure").GetString());
        Assert.Equal("received", newest.GetProperty("status").GetString());
        Assert.Equal("131016", newest.GetProperty("municipalityCode").GetString());
        Assert.StartsWith("131016-", newest.GetProperty("receiptNumber").GetString());
        newest.GetProperty("submittedAt").GetDateTimeOffset();

        // The municipality's list has the same item shape.
        var municipality = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications?municipalityCode=131016&procedure=pregnancy.notification&limit=1", apiKey: ChiyodaKey), HttpStatusCode.OK);
        Assert.Equal(newest.EnumerateObject().Select(p => p.Name), municipality.GetProperty("applications")[0].EnumerateObject().Select(p => p.Name));

        var others = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications", bearerFor: otherId), HttpStatusCode.OK);
        Assert.Equal([othersId], others.GetProperty("applications").EnumerateArray().Select(a => a.GetProperty("applicationId").GetString()));
    }

    [Fact]
    public async Task The_parent_s_list_pages_with_limit_and_continuationToken()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var ids = new List<string>();
        foreach (var weeks in new[] { 20, 21, 22 })
        {
            ids.Add((await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Pregnancy(weeks)), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!);
        }

        var first = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications?limit=2", bearerFor: parentId), HttpStatusCode.OK);
        var token = Uri.EscapeDataString(first.GetProperty("continuationToken").GetString()!);
        var second = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications?limit=2&continuationToken={token}", bearerFor: parentId), HttpStatusCode.OK);

        Assert.Equal([ids[2], ids[1]], first.GetProperty("applications").EnumerateArray().Select(a => a.GetProperty("applicationId").GetString()));
        Assert.Equal([ids[0]], second.GetProperty("applications").EnumerateArray().Select(a => a.GetProperty("applicationId").GetString()));
        Assert.False(second.TryGetProperty("continuationToken", out _));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=x")]
    public async Task A_bad_limit_is_invalid_request(string query)
    {
        var parentId = await app.NewCitizenAsync();
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications?" + query, bearerFor: parentId), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Without_a_bearer_or_key_the_list_is_unauthenticated() =>
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications"), HttpStatusCode.Unauthorized, "unauthenticated");
}
