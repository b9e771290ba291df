using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ServerlessMyKey.EndToEnd.Tests.Medical;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Medical.MedicalApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Web;

/// <summary>The portal's medical access log against the real medical API (the medical collection's DevHost).</summary>
[Collection(MedicalCollection.Name)]
public sealed partial class MedicalLogPageTests(MedicalApiFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task The_patient_sees_who_checked_their_insurance_and_who_was_refused_their_medication_data()
    {
        var patient = await app.LinkedPatientAsync();
        await app.EligibilityAsync(patient.Card, ClinicAKey);
        var refused = await app.SendAsync(HttpMethod.Post, "api/medical/consents/checks", new { myKeyId = patient.MyKeyId, category = "medication" }, apiKey: ClinicBKey);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.False((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("allowed").GetBoolean());

        var page = await chromium.NewPageAsync(app.Host.BaseAddress);
        await PageSteps.PortalLogInAsync(page, patient.Card.Id);
        await page.GetByRole(AriaRole.Link, new() { NameRegex = MedicalLink() }).First.ClickAsync();

        var rows = page.Locator("main table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0).Locator("td")).ToHaveTextAsync([DateCell(), new Regex($"^{ClinicB}$"), new Regex("^同意の確認$"), new Regex("^薬剤情報$"), new Regex("^拒否$")]);
        await Assertions.Expect(rows.Nth(1).Locator("td")).ToHaveTextAsync([DateCell(), new Regex($"^{ClinicA}$"), new Regex("^資格確認$"), new Regex("^—$"), new Regex("^許可$")]);
        await ChromiumFixture.CheckAndScreenshotAsync(page, "portal-medical-access-log");
    }

    // Patterns below run in the browser (JavaScript): `$` is the end of the text there.
    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}$")]
    private static partial Regex DateCell();

    [GeneratedRegex("^医療情報の閲覧記録")]
    private static partial Regex MedicalLink();
}
