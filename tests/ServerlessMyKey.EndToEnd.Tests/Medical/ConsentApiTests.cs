using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Medical.MedicalApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Medical;

/// <summary>The consent ledger and the access log over HTTP: consent, check, withdraw, read the log; then one broken thing per refusal.</summary>
[Collection(MedicalCollection.Name)]
public sealed class ConsentApiTests(MedicalApiFixture app)
{
    [Fact]
    public async Task Patient_consents_the_facility_checks_the_patient_withdraws_and_reads_every_check()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var patientNumber = "C-" + myKeyId;
        await app.LinkPatientAsync(myKeyId, patientNumber, ClinicB, ClinicBKey);
        var consentId = await ConsentAsync(myKeyId, card, Consent(facilities: new[] { ClinicA, ClinicB }));

        var allowed = await CheckAsync(ClinicBKey, new { patientNumber, category = "medication" });
        var withdrawn = await app.SendAsync(HttpMethod.Post, $"api/medical/consents/{consentId}/withdrawal", new { signature = Signed(card, new { action = "withdraw", consentId }) }, bearerFor: myKeyId);
        var refused = await CheckAsync(ClinicBKey, new { patientNumber, category = "medication" });

        Assert.True(allowed.GetProperty("allowed").GetBoolean());
        Assert.Equal(consentId, allowed.GetProperty("consentId").GetString());
        Assert.Equal("withdrawn", (await withdrawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.False(refused.GetProperty("allowed").GetBoolean());
        var log = await app.AccessLogAsync(myKeyId);
        Assert.Equal([false, true], log.EnumerateArray().Select(e => e.GetProperty("allowed").GetBoolean()));
        Assert.All(log.EnumerateArray(), e =>
        {
            Assert.Equal("consent-check", e.GetProperty("kind").GetString());
            Assert.Equal(ClinicB, e.GetProperty("facilityCode").GetString());
            Assert.Equal("medication", e.GetProperty("category").GetString());
        });
        var listed = await (await app.SendAsync(HttpMethod.Get, "api/medical/consents", bearerFor: myKeyId)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("withdrawn", listed.GetProperty("consents")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Consent_for_all_facilities_allows_any_facility_of_the_network_by_my_key_id()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        await ConsentAsync(myKeyId, card, Consent());

        Assert.True((await CheckAsync(ClinicAKey, new { myKeyId, category = "checkups" })).GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task The_same_signed_consent_again_is_the_same_consent()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var consent = Consent();
        var body = new { consent, signature = Signed(card, consent) };

        var first = await (await app.SendAsync(HttpMethod.Post, "api/medical/consents", body, bearerFor: myKeyId)).Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await app.SendAsync(HttpMethod.Post, "api/medical/consents", body, bearerFor: myKeyId)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(first.GetProperty("consentId").GetString(), second.GetProperty("consentId").GetString());
    }

    [Fact]
    public async Task Category_not_consented_is_not_allowed()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        await ConsentAsync(myKeyId, card, Consent(categories: ["medication"]));

        Assert.False((await CheckAsync(ClinicAKey, new { myKeyId, category = "clinical" })).GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task Facility_not_named_is_not_allowed()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        await ConsentAsync(myKeyId, card, Consent(facilities: new[] { ClinicA }));

        Assert.False((await CheckAsync(ClinicBKey, new { myKeyId, category = "medication" })).GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task Facility_of_another_network_is_not_allowed_by_all()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        await ConsentAsync(myKeyId, card, Consent());

        Assert.False((await CheckAsync(OsakaKey, new { myKeyId, category = "medication" })).GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task Unknown_network_is_refused()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var consent = Consent(network: "nowhere-net");

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/consents", new { consent, signature = Signed(card, consent) }, bearerFor: myKeyId), HttpStatusCode.UnprocessableEntity, "unknown_network");
    }

    [Fact]
    public async Task Facility_outside_the_network_is_refused()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var consent = Consent(facilities: new[] { Osaka });

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/consents", new { consent, signature = Signed(card, consent) }, bearerFor: myKeyId), HttpStatusCode.UnprocessableEntity, "unknown_network");
    }

    [Fact]
    public async Task Unknown_category_is_invalid()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var consent = Consent(categories: ["genome"]);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/consents", new { consent, signature = Signed(card, consent) }, bearerFor: myKeyId), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Consent_signed_over_other_content_is_signature_invalid()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);

        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "api/medical/consents", new { consent = Consent(), signature = Signed(card, Consent(categories: ["medication"])) }, bearerFor: myKeyId),
            HttpStatusCode.Unauthorized, "signature_invalid");
    }

    [Fact]
    public async Task Past_valid_to_is_invalid_validity_period()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var consent = Consent(validTo: "2020-01-01");

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/consents", new { consent, signature = Signed(card, consent) }, bearerFor: myKeyId), HttpStatusCode.UnprocessableEntity, "invalid_validity_period");
    }

    [Theory]
    [InlineData("9999-12-31")]
    [InlineData("0001-01-01")]
    public async Task Valid_to_at_the_ends_of_the_calendar_is_invalid_validity_period(string validTo)
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var consent = Consent(validTo: validTo);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/consents", new { consent, signature = Signed(card, consent) }, bearerFor: myKeyId), HttpStatusCode.UnprocessableEntity, "invalid_validity_period");
    }

    [Fact]
    public async Task Withdrawal_signed_by_another_person_is_signer_not_patient()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var consentId = await ConsentAsync(myKeyId, card, Consent());
        var stranger = app.IssueCard(Doctor);

        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, $"api/medical/consents/{consentId}/withdrawal", new { signature = Signed(stranger, new { action = "withdraw", consentId }) }, bearerFor: myKeyId),
            HttpStatusCode.Forbidden, "signer_not_patient");
    }

    [Fact]
    public async Task Withdrawal_with_a_renewed_card_of_the_same_person_is_accepted()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var consentId = await ConsentAsync(myKeyId, card, Consent());
        var renewed = app.IssueCard(Patient);

        var response = await app.SendAsync(HttpMethod.Post, $"api/medical/consents/{consentId}/withdrawal", new { signature = Signed(renewed, new { action = "withdraw", consentId }) }, bearerFor: myKeyId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Second_withdrawal_is_consent_withdrawn()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var consentId = await ConsentAsync(myKeyId, card, Consent());
        var body = new { signature = Signed(card, new { action = "withdraw", consentId }) };
        (await app.SendAsync(HttpMethod.Post, $"api/medical/consents/{consentId}/withdrawal", body, bearerFor: myKeyId)).EnsureSuccessStatusCode();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/consents/{consentId}/withdrawal", body, bearerFor: myKeyId), HttpStatusCode.Conflict, "consent_withdrawn");
    }

    [Fact]
    public async Task Another_citizens_consent_is_consent_not_found()
    {
        var (owner, card) = await app.NewCardholderAsync(Patient);
        var consentId = await ConsentAsync(owner, card, Consent());
        var other = await app.NewCitizenAsync();

        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, $"api/medical/consents/{consentId}/withdrawal", new { signature = Signed(card, new { action = "withdraw", consentId }) }, bearerFor: other),
            HttpStatusCode.NotFound, "consent_not_found");
    }

    [Fact]
    public async Task Check_of_an_unknown_patient_number_is_not_found()
    {
        var response = await app.SendAsync(HttpMethod.Post, "api/medical/consents/checks", new { patientNumber = "NOBODY-1", category = "medication" }, apiKey: ClinicAKey);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Check_naming_both_patient_number_and_my_key_id_is_invalid()
    {
        var response = await app.SendAsync(HttpMethod.Post, "api/medical/consents/checks", new { patientNumber = "P-1", myKeyId = "ABCDEFGH", category = "medication" }, apiKey: ClinicAKey);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Access_log_is_paged_newest_first()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        await ConsentAsync(myKeyId, card, Consent());
        foreach (var category in new[] { "medication", "checkups", "clinical" })
        {
            await CheckAsync(ClinicAKey, new { myKeyId, category });
        }

        var first = await (await app.SendAsync(HttpMethod.Get, "api/medical/access-log?limit=2", bearerFor: myKeyId)).Content.ReadFromJsonAsync<JsonElement>();
        var next = first.GetProperty("next").GetString();
        var second = await (await app.SendAsync(HttpMethod.Get, $"api/medical/access-log?limit=2&after={next}", bearerFor: myKeyId)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(["clinical", "checkups"], first.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("category").GetString()));
        Assert.Equal(["medication"], second.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("category").GetString()));
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/medical/access-log?limit=201", bearerFor: myKeyId), HttpStatusCode.BadRequest, "invalid_request");
    }

    private static Dictionary<string, object?> Consent(object? facilities = null, string[]? categories = null, string network = "tokyo-net", string? validTo = null) => new()
    {
        ["action"] = "consent",
        ["network"] = network,
        ["facilities"] = facilities ?? "*",
        ["categories"] = categories ?? new[] { "medication", "checkups", "clinical" },
        ["validTo"] = validTo ?? DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };

    private async Task<string> ConsentAsync(string myKeyId, VirtualCard card, Dictionary<string, object?> consent)
    {
        var response = await app.SendAsync(HttpMethod.Post, "api/medical/consents", new { consent, signature = Signed(card, consent) }, bearerFor: myKeyId);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentId").GetString()!;
    }

    private async Task<JsonElement> CheckAsync(string apiKey, object body)
    {
        var response = await app.SendAsync(HttpMethod.Post, "api/medical/consents/checks", body, apiKey: apiKey);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
