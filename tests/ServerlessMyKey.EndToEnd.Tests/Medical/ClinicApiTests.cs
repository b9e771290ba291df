using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
        var at = DateTimeOffset.UtcNow.AddMinutes(30);
        Assert.Equal(HttpStatusCode.Created, (await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/patient-links", new { patientNumber }, bearerFor: myKeyId)).StatusCode);
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
        await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/patient-links", new { patientNumber }, bearerFor: myKeyId);
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

        await AssertProblemAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(card, purpose: "medical_checkin"), apiKey: ClinicAKey), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Patient_number_of_another_patient_is_already_exists()
    {
        var first = await app.NewCitizenAsync();
        var second = await app.NewCitizenAsync();
        await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/patient-links", new { patientNumber = "X-" + first }, bearerFor: first);

        await AssertProblemAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/patient-links", new { patientNumber = "X-" + first }, bearerFor: second), HttpStatusCode.Conflict, "already_exists");
    }

    [Fact]
    public async Task Patient_link_at_an_unregistered_facility_is_not_found()
    {
        var myKeyId = await app.NewCitizenAsync();

        await AssertProblemAsync(await app.SendAsync(HttpMethod.Post, "api/medical/facilities/9999999999/patient-links", new { patientNumber = "P-1" }, bearerFor: myKeyId), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Patient_number_with_a_trailing_newline_is_invalid()
    {
        var myKeyId = await app.NewCitizenAsync();

        await AssertProblemAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/patient-links", new { patientNumber = "P-1\n" }, bearerFor: myKeyId), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Reservation_by_another_facilitys_client_is_forbidden()
    {
        await AssertProblemAsync(
            await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/foreign", new { patientNumber = "P-1", at = DateTimeOffset.UtcNow }, apiKey: ClinicBKey),
            HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Reservation_without_a_time_is_invalid()
    {
        await AssertProblemAsync(await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/no-time", new { patientNumber = "P-1" }, apiKey: ClinicAKey), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Check_in_by_another_facilitys_client_is_forbidden()
    {
        var (_, card) = await app.NewCardholderAsync(Patient);

        await AssertProblemAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(card, purpose: "medical_checkin"), apiKey: ClinicBKey), HttpStatusCode.Forbidden, "forbidden");
    }
}
