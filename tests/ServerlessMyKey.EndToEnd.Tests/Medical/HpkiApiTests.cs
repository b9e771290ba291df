using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Testing.Hpki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Medical.MedicalApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Medical;

/// <summary>A doctor's HPKI signature over HTTP, with the JPKI complement: valid baseline, then one broken thing per verdict.</summary>
[Collection(MedicalCollection.Name)]
public sealed class HpkiApiTests(MedicalApiFixture app)
{
    private static readonly byte[] Prescription = "処方箋: アムロジピン 5mg 1日1回 28日分"u8.ToArray();

    [Fact]
    public async Task Doctors_signature_verifies_with_hc_role_and_the_jpki_signature_of_the_same_person_matches()
    {
        var doctor = app.Hpki.Issue();
        var card = app.IssueCard(Doctor);

        var answer = await VerifyAsync(Raw(doctor, Prescription, jpki: Sign(card, Prescription)));

        Assert.True(answer.GetProperty("valid").GetBoolean());
        Assert.Equal("Medical Doctor", answer.GetProperty("hcRole").GetString());
        Assert.Equal("佐藤　健一", answer.GetProperty("name").GetString());
        Assert.True(answer.GetProperty("jpkiMatch").GetBoolean());
    }

    [Fact]
    public async Task Without_a_jpki_signature_there_is_no_jpki_match()
    {
        var answer = await VerifyAsync(Raw(app.Hpki.Issue(), Prescription));

        Assert.True(answer.GetProperty("valid").GetBoolean());
        Assert.False(answer.TryGetProperty("jpkiMatch", out _));
    }

    [Fact]
    public async Task Jpki_signature_of_another_person_does_not_match()
    {
        var answer = await VerifyAsync(Raw(app.Hpki.Issue(), Prescription, jpki: Sign(app.IssueCard(Patient), Prescription)));

        Assert.True(answer.GetProperty("valid").GetBoolean());
        Assert.False(answer.GetProperty("jpkiMatch").GetBoolean());
        Assert.Equal("holder_mismatch", answer.GetProperty("jpkiCode").GetString());
    }

    [Fact]
    public async Task Jpki_signature_with_another_birth_date_does_not_match()
    {
        var card = app.IssueCard(Doctor with { BirthDate = new DateOnly(1975, 5, 21) });

        var answer = await VerifyAsync(Raw(app.Hpki.Issue(), Prescription, jpki: Sign(card, Prescription)));

        Assert.False(answer.GetProperty("jpkiMatch").GetBoolean());
    }

    [Fact]
    public async Task Jpki_signature_over_other_data_does_not_count()
    {
        var answer = await VerifyAsync(Raw(app.Hpki.Issue(), Prescription, jpki: Sign(app.IssueCard(Doctor), "別の文書"u8.ToArray())));

        Assert.False(answer.GetProperty("jpkiMatch").GetBoolean());
        Assert.Equal("signature_invalid", answer.GetProperty("jpkiCode").GetString());
    }

    [Fact]
    public async Task Cms_signature_of_the_doctor_verifies()
    {
        var doctor = app.Hpki.Issue();

        var answer = await VerifyAsync(new { cms = Convert.ToBase64String(doctor.SignCms(Prescription)), data = Convert.ToBase64String(Prescription), jpki = Sign(app.IssueCard(Doctor), Prescription) });

        Assert.True(answer.GetProperty("valid").GetBoolean());
        Assert.Equal("Medical Doctor", answer.GetProperty("hcRole").GetString());
        Assert.True(answer.GetProperty("jpkiMatch").GetBoolean());
    }

    [Fact]
    public async Task Revoked_doctor_is_not_valid()
    {
        await AssertVerdictAsync(Raw(app.RevokedDoctor, Prescription), "certificate_revoked");
    }

    [Fact]
    public async Task Certificate_of_an_unconfigured_ca_is_untrusted()
    {
        using var other = new HpkiTestCa("Unknown HPKI CA (TEST ONLY)");

        await AssertVerdictAsync(Raw(other.Issue(), Prescription), "certificate_untrusted");
    }

    [Fact]
    public async Task Jpki_signing_certificate_is_not_an_hpki_certificate()
    {
        var card = app.IssueCard(Doctor);
        var body = new { certificate = Convert.ToBase64String(card.SigningCertificate.RawData), signature = Convert.ToBase64String(card.SignWithSigningKey(Prescription)), data = Convert.ToBase64String(Prescription) };

        await AssertVerdictAsync(body, "certificate_profile_invalid");
    }

    [Fact]
    public async Task Certificate_without_hc_role_is_not_valid()
    {
        await AssertVerdictAsync(Raw(app.Hpki.Issue(new HpkiLeaf { HcRole = null }), Prescription), "certificate_profile_invalid");
    }

    [Fact]
    public async Task Altered_data_is_signature_invalid()
    {
        var doctor = app.Hpki.Issue();
        var body = new { certificate = Convert.ToBase64String(doctor.Certificate.RawData), signature = Convert.ToBase64String(doctor.Sign(Prescription)), data = Convert.ToBase64String("処方箋: 改ざん"u8.ToArray()) };

        await AssertVerdictAsync(body, "signature_invalid");
    }

    [Fact]
    public async Task Caller_without_the_facility_role_is_forbidden()
    {
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/hpki/verifications", Raw(app.Hpki.Issue(), Prescription), apiKey: InsurerKey), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Data_and_digest_together_are_invalid()
    {
        var doctor = app.Hpki.Issue();
        var body = new { certificate = Convert.ToBase64String(doctor.Certificate.RawData), signature = Convert.ToBase64String(doctor.Sign(Prescription)), data = Convert.ToBase64String(Prescription), digest = Convert.ToBase64String(new byte[32]) };

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/hpki/verifications", body, apiKey: ClinicAKey), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Cms_with_a_malformed_certificate_is_invalid_request()
    {
        // The doctor's certificate in the container, its TBSCertificate tag made an INTEGER.
        var doctor = app.Hpki.Issue();
        var cms = doctor.SignCms(Prescription);
        var at = cms.AsSpan().IndexOf(doctor.Certificate.RawData.AsSpan(0, 64));
        Assert.True(at > 0);
        cms[at + 4] = 0x02;
        var body = new { cms = Convert.ToBase64String(cms), data = Convert.ToBase64String(Prescription) };

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/medical/hpki/verifications", body, apiKey: ClinicAKey), HttpStatusCode.BadRequest, "invalid_request");
    }

    private static object Raw(HpkiSigner doctor, byte[] data, object? jpki = null) => new
    {
        certificate = Convert.ToBase64String(doctor.Certificate.RawData),
        signature = Convert.ToBase64String(doctor.Sign(data)),
        data = Convert.ToBase64String(data),
        jpki,
    };

    private async Task<JsonElement> VerifyAsync(object body)
    {
        var response = await app.SendAsync(HttpMethod.Post, "api/medical/hpki/verifications", body, apiKey: ClinicAKey);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task AssertVerdictAsync(object body, string code)
    {
        var answer = await VerifyAsync(body);
        Assert.False(answer.GetProperty("valid").GetBoolean());
        Assert.Equal(code, answer.GetProperty("code").GetString());
    }
}
