using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Medical.MedicalApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Medical;

/// <summary>
/// The 3-month grace after the authentication certificate expired, which applies to eligibility only,
/// and a full run of every medical route whose log lines never show an insurance number.
/// </summary>
[Collection(MedicalCollection.Name)]
public sealed class MedicalClockTests(MedicalClockFixture app) : IClassFixture<MedicalClockFixture>, IDisposable
{
    public void Dispose() => app.Clock.Offset = TimeSpan.Zero;

    [Fact]
    public async Task Link_code_after_fifteen_minutes_is_link_code_expired()
    {
        var patientNumber = "E-" + Guid.NewGuid().ToString("N")[..20];
        var code = await app.IssueLinkCodeAsync(patientNumber);
        app.Clock.Offset = TimeSpan.FromMinutes(15);
        var myKeyId = await app.NewCitizenAsync(); // logs in on the moved clock, so the session is fresh

        await ProblemAssert.ExactAsync(await app.LinkPatientNumberAsync(myKeyId, patientNumber, code), HttpStatusCode.Gone, "link_code_expired");
    }

    /// <summary>
    /// At 23:45 in Japan, a reservation half an hour ahead is tomorrow's: the check-in finds no reservation of today; one half
    /// an hour back is today's. (ClinicApiTests reserved "now + 30 min" and failed every day from 14:30 to 15:00 UTC.)
    /// </summary>
    [Fact]
    public async Task A_reservation_after_midnight_in_Japan_is_not_todays_one_before_it_is()
    {
        var now = DateTimeOffset.UtcNow;
        var lateEvening = new DateTimeOffset(now.UtcDateTime.Date.AddHours(14).AddMinutes(45), TimeSpan.Zero); // 23:45 JST
        app.Clock.Offset = (lateEvening > now ? lateEvening : lateEvening.AddDays(1)) - now;
        var (myKeyId, card) = await app.NewCardholderAsync(Patient); // logs in on the moved clock
        var patientNumber = "J-" + myKeyId;
        await app.LinkPatientAsync(myKeyId, patientNumber);
        var appNow = app.Clock.GetUtcNow();

        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/after-{myKeyId}", new { patientNumber, at = appNow.AddMinutes(30) }, apiKey: ClinicAKey)).StatusCode);
        var tomorrows = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(card, purpose: "medical_checkin"), apiKey: ClinicAKey), HttpStatusCode.Created);
        Assert.False(tomorrows.TryGetProperty("reservation", out _));

        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/before-{myKeyId}", new { patientNumber, at = appNow.AddMinutes(-30) }, apiKey: ClinicAKey)).StatusCode);
        var todays = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(card, purpose: "medical_checkin"), apiKey: ClinicAKey), HttpStatusCode.Created);
        Assert.Equal("before-" + myKeyId, todays.GetProperty("reservation").GetProperty("reservationId").GetString());
    }

    [Fact]
    public async Task Card_expired_within_three_months_is_eligible_and_says_so()
    {
        var patient = await ExpiringPatientAsync();
        app.Clock.Offset = TimeSpan.FromDays(2);

        var answer = await app.EligibilityAsync(patient.Card);

        Assert.True(answer.GetProperty("eligible").GetBoolean(), answer.ToString());
        Assert.True(answer.TryGetProperty("certificateExpiredAt", out _));
    }

    [Fact]
    public async Task The_same_expired_card_cannot_log_in()
    {
        var patient = await ExpiringPatientAsync();
        app.Clock.Offset = TimeSpan.FromDays(2);
        var (challengeId, challenge) = await new MyKeyApiClient(app.Http).CreateChallengeAsync();

        var response = await app.Http.PostAsJsonAsync("api/auth/sessions", MyKeyApiClient.LoginBody(patient.Card, challengeId, challenge));

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Unauthorized, "certificate_expired");
    }

    [Fact]
    public async Task The_same_expired_card_cannot_check_in()
    {
        var patient = await ExpiringPatientAsync();
        app.Clock.Offset = TimeSpan.FromDays(2);

        await ProblemAssert.ExactAsync(
            await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(patient.Card, purpose: "medical_checkin"), apiKey: ClinicAKey),
            HttpStatusCode.Unauthorized, "certificate_expired");
    }

    [Fact]
    public async Task Card_expired_more_than_three_months_ago_is_not_eligible()
    {
        var patient = await ExpiringPatientAsync();
        app.Clock.Offset = TimeSpan.FromDays(96);

        var answer = await app.EligibilityAsync(patient.Card);

        Assert.False(answer.GetProperty("eligible").GetBoolean());
        Assert.Equal("certificate_expired", answer.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Insurance_numbers_and_names_appear_in_no_log_line_of_a_full_run()
    {
        var numbers = (Symbol: "QZ7731", Number: "88429133", Branch: "07");
        var (myKeyId, card) = await app.NewCardholderAsync(Patient);
        var doctorCard = app.IssueCard(Doctor);
        var mismatch = await app.NewCardholderAsync(Patient with { Name = "山田　次郎" });

        (await app.PutMemberAsync("log-run-" + myKeyId, Patient, numbers)).EnsureSuccessStatusCode();
        await app.PutMemberAsync("log-run-dup", Patient, numbers); // already_exists
        await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(numbers, mismatch.Card), bearerFor: mismatch.MyKeyId); // member_mismatch
        (await app.SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(numbers, card), bearerFor: myKeyId)).EnsureSuccessStatusCode();
        await app.SendAsync(HttpMethod.Get, "api/medical/insurance-links/me", bearerFor: myKeyId);
        Assert.True((await app.EligibilityAsync(card)).GetProperty("eligible").GetBoolean());
        var linkCode = await app.IssueLinkCodeAsync("L-" + myKeyId);
        (await app.LinkPatientNumberAsync(myKeyId, "L-" + myKeyId, linkCode)).EnsureSuccessStatusCode();
        await app.SendAsync(HttpMethod.Put, $"api/medical/facilities/{ClinicA}/reservations/l-{myKeyId}", new { patientNumber = "L-" + myKeyId, at = DateTimeOffset.UtcNow }, apiKey: ClinicAKey);
        (await app.SendAsync(HttpMethod.Post, $"api/medical/facilities/{ClinicA}/checkins", await app.ProofAsync(card, purpose: "medical_checkin"), apiKey: ClinicAKey)).EnsureSuccessStatusCode();
        var consent = new { action = "consent", network = "tokyo-net", facilities = "*", categories = new[] { "medication" }, validTo = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) };
        var consentId = (await (await app.SendAsync(HttpMethod.Post, "api/medical/consents", new { consent, signature = Signed(card, consent) }, bearerFor: myKeyId))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentId").GetString();
        await app.SendAsync(HttpMethod.Post, "api/medical/consents/checks", new { myKeyId, category = "medication" }, apiKey: ClinicAKey);
        await app.SendAsync(HttpMethod.Post, $"api/medical/consents/{consentId}/withdrawal", new { signature = Signed(card, new { action = "withdraw", consentId }) }, bearerFor: myKeyId);
        var prescription = "処方箋"u8.ToArray();
        var doctor = app.Hpki.Issue();
        await app.SendAsync(HttpMethod.Post, "api/medical/hpki/verifications", new
        {
            certificate = Convert.ToBase64String(doctor.Certificate.RawData),
            signature = Convert.ToBase64String(doctor.Sign(prescription)),
            data = Convert.ToBase64String(prescription),
            jpki = Sign(doctorCard, prescription),
        }, apiKey: ClinicAKey);
        Assert.Equal(3, (await app.AccessLogAsync(myKeyId)).GetArrayLength());

        var lines = app.Logs.Lines.ToArray();
        Assert.Contains(lines, line => line.Contains("Eligibility of MyKey ID " + myKeyId, StringComparison.Ordinal)); // the medical services' own lines are captured
        foreach (var secret in new[] { numbers.Symbol, numbers.Number, linkCode, "山田", "花子", "佐藤", "健一", "1990-04-01", "19900401" })
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    // A patient whose card expires in a day, logged in, with insurance and patient number linked now (before the clock moves).
    private async Task<LinkedPatient> ExpiringPatientAsync()
    {
        var card = app.IssueCard(Patient, validTo: DateTimeOffset.UtcNow.AddDays(1));
        var session = await new MyKeyApiClient(app.Http).LoginAsync(card);
        var myKeyId = session.GetProperty("myKeyId").GetString()!;
        var token = session.GetProperty("accessToken").GetString()!;
        var numbers = NewNumbers();
        (await app.PutMemberAsync("grace-" + myKeyId, Patient, numbers)).EnsureSuccessStatusCode();
        foreach (var (path, body) in new (string, object)[] { ("api/medical/insurance-links", LinkBody(numbers, card)), ($"api/medical/facilities/{ClinicA}/patient-links", new { patientNumber = "G-" + myKeyId, linkCode = await app.IssueLinkCodeAsync("G-" + myKeyId) }) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            (await app.Http.SendAsync(request)).EnsureSuccessStatusCode();
        }

        return new LinkedPatient(myKeyId, card, numbers);
    }
}
