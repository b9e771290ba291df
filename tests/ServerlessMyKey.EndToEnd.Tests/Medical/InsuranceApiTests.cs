using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Medical.MedicalApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Medical;

/// <summary>The insurance registry and 保険証利用登録 over HTTP: the baseline, then one broken thing per refusal.</summary>
[Collection(MedicalCollection.Name)]
public sealed class InsuranceApiTests(MedicalApiFixture app)
{
    [Fact]
    public async Task Insurer_upserts_idempotently_and_the_citizen_links_and_sees_the_numbers_masked()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var numbers = NewNumbers();

        var first = await (await app.PutMemberAsync("upsert-" + myKeyId, Patient, numbers)).Content.ReadFromJsonAsync<JsonElement>();
        var again = await (await app.PutMemberAsync("upsert-" + myKeyId, Patient, numbers)).Content.ReadFromJsonAsync<JsonElement>();
        var linked = await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(numbers, card), bearerFor: myKeyId);
        var mine = await app.SendAsync(HttpMethod.Get, "api/medical/insurance-links/me", bearerFor: myKeyId);

        Assert.True(first.GetProperty("changed").GetBoolean());
        Assert.False(again.GetProperty("changed").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
        var view = await mine.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Insurer, view.GetProperty("insurerNumber").GetString());
        Assert.Equal(new string('*', numbers.Symbol.Length), view.GetProperty("symbol").GetString());
        Assert.Equal(new string('*', numbers.Number.Length - 2) + numbers.Number[^2..], view.GetProperty("number").GetString());
        Assert.Equal("**", view.GetProperty("branch").GetString());
        var text = await mine.Content.ReadAsStringAsync();
        Assert.DoesNotContain(numbers.Symbol, text, StringComparison.Ordinal);
        Assert.DoesNotContain(numbers.Number, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changed_record_replaces_the_old_numbers()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var old = NewNumbers();
        var renewed = NewNumbers();
        await app.PutMemberAsync("renew-" + myKeyId, Patient, old);

        var changed = await (await app.PutMemberAsync("renew-" + myKeyId, Patient, renewed)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(changed.GetProperty("changed").GetBoolean());
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(old, card), bearerFor: myKeyId), HttpStatusCode.UnprocessableEntity, "member_mismatch");
        Assert.Equal(HttpStatusCode.Created, (await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(renewed, card), bearerFor: myKeyId)).StatusCode);
    }

    [Fact]
    public async Task Link_by_another_person_is_member_mismatch()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient with { Name = "山田　次郎" });
        var numbers = NewNumbers();
        await app.PutMemberAsync("other-name-" + myKeyId, Patient, numbers);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(numbers, card), bearerFor: myKeyId), HttpStatusCode.UnprocessableEntity, "member_mismatch");
    }

    [Fact]
    public async Task Link_with_the_old_form_of_a_kanji_on_the_card_matches_the_common_form_on_record()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient with { Name = "髙﨑　花子" });
        var numbers = NewNumbers();
        await app.PutMemberAsync("variant-" + myKeyId, Patient with { Name = "高崎 花子" }, numbers);

        var response = await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(numbers, card), bearerFor: myKeyId);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Link_with_the_old_form_of_a_kanji_and_another_birth_date_is_member_mismatch()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient with { Name = "髙﨑　花子", BirthDate = new DateOnly(1990, 4, 2) });
        var numbers = NewNumbers();
        await app.PutMemberAsync("variant-birth-" + myKeyId, Patient with { Name = "高崎 花子" }, numbers);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(numbers, card), bearerFor: myKeyId), HttpStatusCode.UnprocessableEntity, "member_mismatch");
    }

    [Fact]
    public async Task Link_with_another_birth_date_is_member_mismatch()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient with { BirthDate = new DateOnly(1990, 4, 2) });
        var numbers = NewNumbers();
        await app.PutMemberAsync("other-birth-" + myKeyId, Patient, numbers);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(numbers, card), bearerFor: myKeyId), HttpStatusCode.UnprocessableEntity, "member_mismatch");
    }

    [Fact]
    public async Task Link_to_unknown_numbers_is_member_mismatch_without_echoing_them()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var numbers = NewNumbers();

        var response = await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(numbers, card), bearerFor: myKeyId);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnprocessableEntity, "member_mismatch");
        Assert.DoesNotContain(numbers.Number, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Link_signed_over_other_numbers_is_signature_invalid()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var numbers = NewNumbers();
        await app.PutMemberAsync("bad-sig-" + myKeyId, Patient, numbers);
        var body = LinkBody(numbers, card);
        var tampered = new
        {
            insurerNumber = Insurer,
            symbol = numbers.Symbol,
            number = numbers.Number,
            branch = numbers.Branch == "01" ? "02" : "01",
            signature = JsonSerializer.SerializeToElement(body).GetProperty("signature"),
        };

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", tampered, bearerFor: myKeyId), HttpStatusCode.Unauthorized, "signature_invalid");
    }

    [Fact]
    public async Task Link_without_a_bearer_token_is_unauthenticated()
    {
        var card = app.IssueCard(Patient);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(NewNumbers(), card)), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Upsert_without_the_insurer_role_is_forbidden()
    {
        var response = await app.SendAsync(HttpMethod.Put, $"api/medical/insurers/{Insurer}/members/no-role", Member(Patient, NewNumbers()), apiKey: ClinicAKey);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Upsert_by_another_insurers_client_is_forbidden()
    {
        var response = await app.SendAsync(HttpMethod.Put, $"api/medical/insurers/{Insurer}/members/other-insurer", Member(Patient, NewNumbers()), apiKey: OtherInsurerKey);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Upsert_with_a_bad_branch_is_invalid_without_echoing_it()
    {
        var numbers = NewNumbers() with { Branch = "7X" };

        var response = await app.PutMemberAsync("bad-branch", Patient, numbers);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.DoesNotContain("7X", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upsert_with_a_seven_digit_insurer_number_is_invalid()
    {
        await ProblemAssert.ExactAsync(await app.PutMemberAsync("short-insurer", Patient, NewNumbers(), insurer: "0613999"), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Numbers_held_by_another_member_key_are_already_exists()
    {
        var numbers = NewNumbers();
        (await app.PutMemberAsync("holder-" + numbers.Number, Patient, numbers)).EnsureSuccessStatusCode();

        await ProblemAssert.ExactAsync(await app.PutMemberAsync("second-" + numbers.Number, Patient, numbers), HttpStatusCode.Conflict, "already_exists");
    }

    [Fact]
    public async Task Citizen_without_a_link_reads_not_found()
    {
        var myKeyId = await app.NewCitizenAsync();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/medical/insurance-links/me", bearerFor: myKeyId), HttpStatusCode.NotFound, "not_found");
    }
}
