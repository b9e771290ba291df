using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>JSON-Schema bombs and size limits of a submission: each a clear 4xx with its code, never a 5xx or a hang.</summary>
public sealed class ChildcareLimitTests(ChildcareApiFixture app) : IClassFixture<ChildcareApiFixture>
{
    [Fact]
    public async Task A_form_nested_ten_thousand_levels_deep_is_invalid_json()
    {
        var parentId = await app.NewCitizenAsync();
        var body = "{\"application\":{\"procedure\":\"nursery.application\",\"formVersion\":1,\"municipalityCode\":\"131016\",\"form\":{\"remarks\":"
            + new string('[', 10_000) + new string(']', 10_000) + "}},\"signature\":null}";

        await ProblemAssert.ExactAsync(await PostRawAsync(parentId, body), HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task A_form_nested_deeper_than_an_application_may_be_is_form_invalid()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var application = Nursery();
        object nested = "x";
        for (var i = 0; i < 20; i++)
        {
            nested = new[] { nested };
        }

        application["form"] = new { remarks = nested };

        await ProblemAssert.ExactAsync(await app.SubmitAsync(parentId, parent, application), HttpStatusCode.UnprocessableEntity, "form_invalid");
    }

    [Fact]
    public async Task A_huge_array_in_the_form_is_form_invalid()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var application = Nursery();
        application["form"] = new
        {
            child = new { name = "子育　太郎", furigana = "こそだて　たろう", dateOfBirth = "2025-06-01" },
            desiredStartMonth = "2027-04",
            preferredFacilities = Enumerable.Repeat("園", 30_000).ToArray(),
            guardians = new[] { new { name = Parent.Name, relationship = "母", working = true } },
        };

        var response = await app.SubmitAsync(parentId, parent, application);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnprocessableEntity, "form_invalid");
        Assert.Contains("/application/form/preferredFacilities", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_application_over_256_KiB_is_invalid_request()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var application = Nursery();
        application["form"] = new { remarks = new string('あ', 100_000) };

        await ProblemAssert.ExactAsync(await app.SubmitAsync(parentId, parent, application), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task More_than_four_employers_is_form_invalid()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var response = await app.SubmitAsync(parentId, parent, Nursery(Enumerable.Repeat(CorporateNumber, 5).ToArray()));

        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnprocessableEntity, "form_invalid");
        Assert.Contains("At most 4 employers", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Twenty_thousand_employers_are_payload_too_large()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var response = await app.SubmitAsync(parentId, parent, Nursery(Enumerable.Repeat(CorporateNumber, 20_000).ToArray()));

        // Over the 1 MiB body: refused before anything is parsed.
        await ProblemAssert.ExactAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task A_body_over_one_MiB_is_payload_too_large()
    {
        var parentId = await app.NewCitizenAsync();
        var body = JsonSerializer.Serialize(new { application = new { remarks = new string('x', 1_100_000) }, signature = (object?)null });

        await ProblemAssert.ExactAsync(await PostRawAsync(parentId, body), HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    private async Task<HttpResponseMessage> PostRawAsync(string myKeyId, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/childcare/applications") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + app.AccessToken(myKeyId));
        return await app.Http.SendAsync(request);
    }
}
