using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Medical.MedicalApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Medical;

/// <summary>オンライン資格確認 at the reader over HTTP: eligible, then one reason per "no".</summary>
[Collection(MedicalCollection.Name)]
public sealed class EligibilityApiTests(MedicalApiFixture app)
{
    [Fact]
    public async Task Linked_patient_is_eligible_with_the_insurance_and_the_check_is_in_the_access_log()
    {
        var patient = await app.LinkedPatientAsync();

        var answer = await app.EligibilityAsync(patient.Card);

        Assert.True(answer.GetProperty("eligible").GetBoolean());
        var insurance = answer.GetProperty("insurance");
        Assert.Equal(Insurer, insurance.GetProperty("insurerNumber").GetString());
        Assert.Equal(patient.Numbers.Symbol, insurance.GetProperty("symbol").GetString());
        Assert.Equal(patient.Numbers.Number, insurance.GetProperty("number").GetString());
        Assert.Equal(patient.Numbers.Branch, insurance.GetProperty("branch").GetString());
        Assert.Equal(30, insurance.GetProperty("copayRate").GetInt32());
        Assert.Equal("山田　花子", answer.GetProperty("patient").GetProperty("name").GetString());
        Assert.Equal("1990-04-01", answer.GetProperty("patient").GetProperty("dateOfBirth").GetString());
        Assert.False(answer.TryGetProperty("certificateExpiredAt", out _));
        var entry = (await app.AccessLogAsync(patient.MyKeyId))[0];
        Assert.Equal("eligibility", entry.GetProperty("kind").GetString());
        Assert.Equal(ClinicA, entry.GetProperty("facilityCode").GetString());
        Assert.True(entry.GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task Card_without_an_insurance_link_is_not_linked()
    {
        var (_, card) = await app.NewCardholderAsync(Patient);

        var answer = await app.EligibilityAsync(card);

        Assert.False(answer.GetProperty("eligible").GetBoolean());
        Assert.Equal("not_linked", answer.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Card_that_never_logged_in_is_not_linked()
    {
        var answer = await app.EligibilityAsync(app.IssueCard(Patient));

        Assert.Equal("not_linked", answer.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Coverage_that_ended_yesterday_is_coverage_ended_and_logged_as_refused()
    {
        var patient = await app.LinkedPatientAsync(validTo: DateTime.UtcNow.AddHours(9).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        var answer = await app.EligibilityAsync(patient.Card);

        Assert.Equal("coverage_ended", answer.GetProperty("code").GetString());
        Assert.False((await app.AccessLogAsync(patient.MyKeyId))[0].GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task Revoked_card_is_never_eligible()
    {
        var patient = await app.LinkedPatientAsync();
        app.Pki.Revoke(patient.Card, CardCertificates.Authentication, X509RevocationReason.KeyCompromise);

        // The DevHost loads the new CRL in the background (Jpki:Revocation:RefreshSeconds): ask until it answers from it.
        JsonElement answer = default;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            answer = await app.EligibilityAsync(patient.Card);
            if (!answer.GetProperty("eligible").GetBoolean())
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal("certificate_revoked", answer.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Signature_over_another_challenge_is_signature_invalid()
    {
        var patient = await app.LinkedPatientAsync();
        var proof = await app.ProofAsync(patient.Card);
        proof["signature"] = Convert.ToBase64String(patient.Card.SignWithAuthenticationKey(new byte[32]));

        var response = await app.SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", proof, apiKey: ClinicAKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(answer.GetProperty("eligible").GetBoolean());
        Assert.Equal("signature_invalid", answer.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Replayed_proof_is_challenge_already_used()
    {
        var patient = await app.LinkedPatientAsync();
        var proof = await app.ProofAsync(patient.Card);
        (await app.SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", proof, apiKey: ClinicAKey)).EnsureSuccessStatusCode();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", proof, apiKey: ClinicAKey), HttpStatusCode.Unauthorized, "challenge_already_used");
    }

    [Fact]
    public async Task A_readers_proof_opens_no_session_and_serves_no_other_reader_or_purpose()
    {
        var patient = await app.LinkedPatientAsync();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/auth/sessions", await app.ProofAsync(patient.Card)), HttpStatusCode.Conflict, "challenge_purpose_mismatch");
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", await app.ProofAsync(patient.Card, purpose: "medical_checkin"), apiKey: ClinicAKey),
            HttpStatusCode.Conflict, "challenge_purpose_mismatch");
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", await app.ProofAsync(patient.Card, readerKey: OsakaKey), apiKey: ClinicAKey),
            HttpStatusCode.Conflict, "challenge_purpose_mismatch");
    }

    [Fact]
    public async Task A_citizens_login_challenge_is_not_a_readers()
    {
        var patient = await app.LinkedPatientAsync();
        var (challengeId, challenge) = await new MyKeyApiClient(app.Http).CreateChallengeAsync();

        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", MyKeyApiClient.LoginBody(patient.Card, challengeId, challenge), apiKey: ClinicAKey),
            HttpStatusCode.Conflict, "challenge_purpose_mismatch");
    }

    [Fact]
    public async Task Client_of_no_registered_facility_is_forbidden()
    {
        var patient = await app.LinkedPatientAsync();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", await app.ProofAsync(patient.Card), apiKey: NoFacilityKey), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Client_without_the_facility_role_is_forbidden()
    {
        var patient = await app.LinkedPatientAsync();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", await app.ProofAsync(patient.Card), apiKey: MedicalNoRoleKey), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Naming_another_facility_is_forbidden()
    {
        var patient = await app.LinkedPatientAsync();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", await app.ProofAsync(patient.Card, ClinicB), apiKey: ClinicAKey), HttpStatusCode.Forbidden, "forbidden");
    }
}
