using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using ServerlessMyKey.Core.Medical;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Medical.MedicalApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Medical;

/// <summary>Clinic check-in over HTTP: patient number, reservation, check-in at the reader; then one broken thing per refusal.</summary>
[Collection(MedicalCollection.Name)]
public sealed class ClinicApiTests(MedicalApiFixture app)
{
    [Fact]
    public async Task Patient_checks_in_to_todays_reservation()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var patientNumber = "P-" + myKeyId;

        // Today's is Japan's calendar day (MedicalFields.DayInJapan): half an hour ahead was tomorrow's from 23:30 JST
        // (14:30-15:00 UTC), and the test failed then (MedicalClockTests pins that hour); half an hour back is then today's.
        var now = DateTimeOffset.UtcNow;
        var at = MedicalFields.DayInJapan(now.AddMinutes(30)) == MedicalFields.DayInJapan(now) ? now.AddMinutes(30) : now.AddMinutes(-30);
        await app.LinkPatientAsync(myKeyId, patientNumber);
        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/r-{myKeyId}", new { patientNumber, at }, apiKey: ClinicAKey)).StatusCode);

        var response = await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(card, purpose: "medical_checkin"), apiKey: ClinicAKey);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var checkin = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(patientNumber, checkin.GetProperty("patientNumber").GetString());
        Assert.Equal("r-" + myKeyId, checkin.GetProperty("reservation").GetProperty("reservationId").GetString());
        var entry = (await app.AccessLogAsync(myKeyId))[0];
        Assert.Equal("checkin", entry.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Reservation_moved_to_another_day_is_not_todays()
    {
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var patientNumber = "M-" + myKeyId;
        await app.LinkPatientAsync(myKeyId, patientNumber);
        await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/m-{myKeyId}", new { patientNumber, at = DateTimeOffset.UtcNow.AddMinutes(10) }, apiKey: ClinicAKey);
        await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/m-{myKeyId}", new { patientNumber, at = DateTimeOffset.UtcNow.AddDays(3) }, apiKey: ClinicAKey);

        var checkin = await (await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(card, purpose: "medical_checkin"), apiKey: ClinicAKey)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(patientNumber, checkin.GetProperty("patientNumber").GetString());
        Assert.False(checkin.TryGetProperty("reservation", out _));
    }

    [Fact]
    public async Task Card_without_a_patient_number_is_not_found()
    {
        var (_, card) = await app.NewCardholderAsync(Patient);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(card, purpose: "medical_checkin"), apiKey: ClinicAKey), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Patient_number_of_another_patient_is_already_exists()
    {
        var first = await app.NewCitizenAsync();
        var second = await app.NewCitizenAsync();
        await app.LinkPatientAsync(first, "X-" + first);
        var code = await app.IssueLinkCodeAsync("X-" + first);

        await ProblemAssert.ExactAsync(await app.LinkPatientNumberAsync(second, "X-" + first, code), HttpStatusCode.Conflict, "already_exists");
    }

    [Fact]
    public async Task Patient_link_without_a_code_is_invalid()
    {
        var myKeyId = await app.NewCitizenAsync();
        await app.IssueLinkCodeAsync("N-" + myKeyId);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/patient-links", new { patientNumber = "N-" + myKeyId }, bearerFor: myKeyId), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Patient_link_when_the_facility_issued_no_code_is_link_code_invalid()
    {
        var myKeyId = await app.NewCitizenAsync();

        await ProblemAssert.ExactAsync(await app.LinkPatientNumberAsync(myKeyId, "U-" + myKeyId, "ABCD2345"), (HttpStatusCode)422, "link_code_invalid");
    }

    [Fact]
    public async Task Patient_link_with_another_patients_code_is_link_code_invalid()
    {
        var victim = await app.NewCitizenAsync();
        var thief = await app.NewCitizenAsync();
        await app.IssueLinkCodeAsync("V-" + victim);
        var thiefsOwnCode = await app.IssueLinkCodeAsync("T-" + thief);

        await ProblemAssert.ExactAsync(await app.LinkPatientNumberAsync(thief, "V-" + victim, thiefsOwnCode), (HttpStatusCode)422, "link_code_invalid");
    }

    [Fact]
    public async Task Patient_link_with_another_facilitys_code_is_link_code_invalid()
    {
        var myKeyId = await app.NewCitizenAsync();
        var codeOfB = await app.IssueLinkCodeAsync("F-" + myKeyId, ClinicB, ClinicBKey);
        await app.IssueLinkCodeAsync("F-" + myKeyId);

        await ProblemAssert.ExactAsync(await app.LinkPatientNumberAsync(myKeyId, "F-" + myKeyId, codeOfB), (HttpStatusCode)422, "link_code_invalid");
    }

    [Fact]
    public async Task Used_link_code_is_link_code_invalid()
    {
        var first = await app.NewCitizenAsync();
        var second = await app.NewCitizenAsync();
        var code = await app.IssueLinkCodeAsync("R-" + first);
        Assert.Equal(HttpStatusCode.Created, (await app.LinkPatientNumberAsync(first, "R-" + first, code)).StatusCode);

        await ProblemAssert.ExactAsync(await app.LinkPatientNumberAsync(second, "R-" + first, code), (HttpStatusCode)422, "link_code_invalid");
    }

    [Fact]
    public async Task Replaced_link_code_is_link_code_invalid()
    {
        var myKeyId = await app.NewCitizenAsync();
        var old = await app.IssueLinkCodeAsync("Q-" + myKeyId);
        var current = await app.IssueLinkCodeAsync("Q-" + myKeyId);
        Assert.NotEqual(old, current);

        await ProblemAssert.ExactAsync(await app.LinkPatientNumberAsync(myKeyId, "Q-" + myKeyId, old), (HttpStatusCode)422, "link_code_invalid");
    }

    [Fact]
    public async Task Link_code_is_worn_out_by_five_wrong_tries()
    {
        var myKeyId = await app.NewCitizenAsync();
        var code = await app.IssueLinkCodeAsync("W-" + myKeyId);
        var wrong = code == "22222222" ? "33333333" : "22222222";
        for (var i = 0; i < 5; i++)
        {
            await ProblemAssert.ExactAsync(await app.LinkPatientNumberAsync(myKeyId, "W-" + myKeyId, wrong), (HttpStatusCode)422, "link_code_invalid");
        }

        await ProblemAssert.ExactAsync(await app.LinkPatientNumberAsync(myKeyId, "W-" + myKeyId, code), (HttpStatusCode)422, "link_code_invalid");
    }

    [Fact]
    public async Task Link_code_issued_by_another_facilitys_client_is_forbidden()
    {
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/patient-link-codes", new { patientNumber = "P-1" }, apiKey: ClinicBKey),
            HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Link_code_issued_by_a_citizen_is_unauthenticated()
    {
        var myKeyId = await app.NewCitizenAsync();

        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/patient-link-codes", new { patientNumber = "P-" + myKeyId }, bearerFor: myKeyId),
            HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Stored_link_code_cannot_be_recovered_from_the_table_without_the_service_key()
    {
        // 40 bits hashed without a key would be tried offline in minutes by anyone who reads MedicalClinics.
        var myKeyId = await app.NewCitizenAsync();
        var patientNumber = "H-" + myKeyId;
        var code = await app.IssueLinkCodeAsync(patientNumber);
        var clinics = new TableClient(await AzuriteServer.GetConnectionStringAsync(), "MedicalClinics");
        var stored = (await clinics.GetEntityAsync<TableEntity>(ClinicA, "c|" + patientNumber)).Value.GetString("CodeHash");

        var unkeyed = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"patient-link-code\n{ClinicA}\n{patientNumber}\n{code}"));
        Assert.NotEqual(Convert.ToBase64String(unkeyed), stored);
        Assert.NotEqual(Convert.ToHexStringLower(unkeyed), stored);
        Assert.DoesNotContain(code, stored, StringComparison.OrdinalIgnoreCase);

        var linked = await app.LinkPatientNumberAsync(myKeyId, patientNumber, code);
        Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
    }

    [Fact]
    public async Task First_come_link_from_before_link_codes_counts_for_nothing_and_gives_way()
    {
        // A link written by the old route (no code, no Confirmed flag): someone claimed the victim's number.
        var (thief, thiefCard) = await app.NewCardholderAsync(Patient);
        var victim = await app.NewCitizenAsync();
        var patientNumber = "O-" + victim;
        var clinics = new TableClient(await AzuriteServer.GetConnectionStringAsync(), "MedicalClinics");
        await clinics.AddEntityAsync(new TableEntity(ClinicA, "k|" + thief) { ["PatientNumber"] = patientNumber, ["LinkedAt"] = DateTimeOffset.UtcNow });
        await clinics.AddEntityAsync(new TableEntity(ClinicA, "p|" + patientNumber) { ["MyKeyId"] = thief });

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(thiefCard, purpose: "medical_checkin"), apiKey: ClinicAKey), HttpStatusCode.NotFound, "not_found");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/consents/checks", new { patientNumber, category = "medication" }, apiKey: ClinicAKey), HttpStatusCode.NotFound, "not_found");

        await app.LinkPatientAsync(victim, patientNumber);

        Assert.Equal(victim, (await clinics.GetEntityAsync<TableEntity>(ClinicA, "p|" + patientNumber)).Value.GetString("MyKeyId"));
        Assert.False((await clinics.GetEntityIfExistsAsync<TableEntity>(ClinicA, "k|" + thief)).HasValue);
    }

    [Fact]
    public async Task Patient_link_at_an_unregistered_facility_is_not_found()
    {
        var myKeyId = await app.NewCitizenAsync();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/facilities/9999999999/patient-links", new { patientNumber = "P-1", linkCode = "ABCD2345" }, bearerFor: myKeyId), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Patient_number_with_a_trailing_newline_is_invalid()
    {
        var myKeyId = await app.NewCitizenAsync();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/patient-links", new { patientNumber = "P-1\n", linkCode = "ABCD2345" }, bearerFor: myKeyId), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Reservation_by_another_facilitys_client_is_forbidden()
    {
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/foreign", new { patientNumber = "P-1", at = DateTimeOffset.UtcNow }, apiKey: ClinicBKey),
            HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Reservation_without_a_time_is_invalid()
    {
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/no-time", new { patientNumber = "P-1" }, apiKey: ClinicAKey), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("1600-01-01T00:00:00Z")]
    public async Task Reservation_at_the_ends_of_the_calendar_is_invalid(string at) =>
        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/far-{at[..4]}", new { patientNumber = "P-1", at }, apiKey: ClinicAKey),
            HttpStatusCode.BadRequest,
            "invalid_request");

    [Fact]
    public async Task Check_in_by_another_facilitys_client_is_forbidden()
    {
        var (_, card) = await app.NewCardholderAsync(Patient);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(card, purpose: "medical_checkin"), apiKey: ClinicBKey), HttpStatusCode.Forbidden, "forbidden");
    }
}
