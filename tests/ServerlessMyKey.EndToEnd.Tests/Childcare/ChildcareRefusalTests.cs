using System.Net;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using ServerlessMyKey.Cli.Pki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareWalkthroughTests;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>Every refusal of the one-stop routes, one broken thing per test, with its exact code.</summary>
public sealed class ChildcareRefusalTests(ChildcareApiFixture app) : IClassFixture<ChildcareApiFixture>
{
    [Fact]
    public async Task A_form_that_breaks_its_schema_is_form_invalid_with_every_pointer()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var application = Nursery();
        application["form"] = new { child = new { name = "子育　太郎", furigana = "こそだて", dateOfBirth = "2025-02-30" }, preferredFacilities = Array.Empty<string>(), guardians = Array.Empty<object>() };

        var response = await app.SubmitAsync(parentId, parent, application);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnprocessableEntity, "form_invalid");
        var pointers = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("pointer").GetString()).ToList();
        Assert.Contains("/application/form/child/dateOfBirth", pointers);
        Assert.Contains("/application/form/preferredFacilities", pointers);
        Assert.Contains("/application/form", pointers); // desiredStartMonth missing
    }

    [Fact]
    public async Task An_employer_with_a_bad_corporate_number_is_form_invalid()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var response = await app.SubmitAsync(parentId, parent, Nursery("7000012050003"));
        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnprocessableEntity, "form_invalid");
        Assert.Contains("/application/employers/0/corporateNumber", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_procedure_or_form_version_is_unknown_procedure()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var application = Nursery();
        application["formVersion"] = 9;
        await ProblemAssert.ExactAsync(await app.SubmitAsync(parentId, parent, application), HttpStatusCode.UnprocessableEntity, "unknown_procedure");
    }

    [Fact]
    public async Task A_municipality_outside_the_service_is_unknown_municipality()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var application = Nursery();
        application["municipalityCode"] = "011002";
        await ProblemAssert.ExactAsync(await app.SubmitAsync(parentId, parent, application), HttpStatusCode.UnprocessableEntity, "unknown_municipality");
    }

    [Fact]
    public async Task A_signature_over_another_application_is_signature_invalid()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var application = For(parentId, Nursery());
        var response = await app.SendAsync(HttpMethod.Post, "api/childcare/applications", new { application, signature = Signed(parent, For(parentId, Nursery(CorporateNumber))) }, bearerFor: parentId);
        await ProblemAssert.ExactAsync(response, HttpStatusCode.Unauthorized, "signature_invalid");
    }

    [Fact]
    public async Task Without_a_bearer_token_a_submission_is_unauthenticated()
    {
        var (_, parent) = await app.NewCardholderAsync(Parent);
        var application = Nursery();
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/childcare/applications", new { application, signature = Signed(parent, application) }), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task The_same_key_answers_the_first_answer_and_another_body_is_idempotency_key_reused()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var first = await app.SubmitAsync(parentId, parent, Nursery(CorporateNumber), idempotencyKey: "apply-1");
        var again = await app.SubmitAsync(parentId, parent, Nursery(CorporateNumber), idempotencyKey: "apply-1");
        var other = await app.SubmitAsync(parentId, parent, Nursery(), idempotencyKey: "apply-1");

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        await ProblemAssert.ExactAsync(other, HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
    }

    [Fact]
    public async Task A_replayed_submission_of_a_decided_application_does_not_restart_its_purged_workflow()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var first = await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Nursery(), idempotencyKey: "apply-purged"), HttpStatusCode.Accepted);
        var applicationId = first.GetProperty("applicationId").GetString()!;
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "approved", notice = new { subject = "決定通知 " + applicationId, body = "決定しました。" } }, apiKey: ChiyodaKey), HttpStatusCode.OK);
        var durable = app.Host.DurableClient!;
        using (var finished = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await durable.WaitForInstanceCompletionAsync(applicationId, finished.Token);
        }

        // The purge timer took the finished workflow; the parent's client then retries the submission.
        await durable.PurgeInstanceAsync(applicationId);
        var again = await app.SubmitAsync(parentId, parent, Nursery(), idempotencyKey: "apply-purged");

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Null(await durable.GetInstanceAsync(applicationId));
        Assert.Equal("approved", (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", apiKey: ChiyodaKey), HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_employer_without_a_delegation_gets_delegation_not_authorized()
    {
        var (requestCode, _) = await OpenRequestAsync();
        var (hrId, hr) = await app.NewCardholderAsync(HrEmployee);
        var certificate = EmploymentCertificate(CorporateNumber);

        var response = await app.SendAsync(HttpMethod.Post, $"api/childcare/employment-certificate-requests/{requestCode}/certificate",
            new { certificate, delegationNumber = ServerlessMyKey.Core.Delegation.DelegationNumber.For(new string('e', 32)), signature = Signed(hr, certificate) }, bearerFor: hrId);

        await AssertRefusedAsync(response, null);
    }

    [Fact]
    public async Task A_delegation_for_another_municipality_is_act_outside_powers()
    {
        var (requestCode, _) = await OpenRequestAsync();
        var (hrId, hr, number) = await app.EmployerHrAsync(agency: "131032");
        var certificate = EmploymentCertificate(CorporateNumber);

        var response = await app.SendAsync(HttpMethod.Post, $"api/childcare/employment-certificate-requests/{requestCode}/certificate",
            new { certificate, delegationNumber = number, signature = Signed(hr, certificate) }, bearerFor: hrId);

        await AssertRefusedAsync(response, "act_outside_powers");
    }

    [Fact]
    public async Task A_bearer_who_is_not_the_delegate_is_signer_not_delegate()
    {
        var (requestCode, _) = await OpenRequestAsync();
        var (_, hr, number) = await app.EmployerHrAsync();
        var otherId = await app.NewCitizenAsync();
        var certificate = EmploymentCertificate(CorporateNumber);

        var response = await app.SendAsync(HttpMethod.Post, $"api/childcare/employment-certificate-requests/{requestCode}/certificate",
            new { certificate, delegationNumber = number, signature = Signed(hr, certificate) }, bearerFor: otherId);

        await AssertRefusedAsync(response, "signer_not_delegate");
    }

    [Fact]
    public async Task A_certificate_for_another_corporation_is_corporation_mismatch()
    {
        var (requestCode, _) = await OpenRequestAsync();
        var (hrId, hr, number) = await app.EmployerHrAsync();
        var certificate = EmploymentCertificate("8000012010001");

        var response = await app.SendAsync(HttpMethod.Post, $"api/childcare/employment-certificate-requests/{requestCode}/certificate",
            new { certificate, delegationNumber = number, signature = Signed(hr, certificate) }, bearerFor: hrId);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnprocessableEntity, "corporation_mismatch");
    }

    [Fact]
    public async Task After_a_withdrawal_the_request_is_closed_and_the_municipality_cannot_decide()
    {
        var (requestCode, application) = await OpenRequestAsync();
        var withdrawn = await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{application.Id}/withdrawal",
            new { signature = Signed(application.Card, new { action = "withdraw", applicationId = application.Id }) }, bearerFor: application.ParentId);
        Assert.Equal("withdrawn", (await ResponseAssert.JsonAsync(withdrawn, HttpStatusCode.OK)).GetProperty("status").GetString());
        var (hrId, hr, number) = await app.EmployerHrAsync();
        var certificate = EmploymentCertificate(CorporateNumber);

        for (var i = 0; i < 120; i++)
        {
            var request = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/employment-certificate-requests/{requestCode}", bearerFor: hrId), HttpStatusCode.OK);
            if (request.GetProperty("status").GetString() == "closed")
            {
                break;
            }

            await Task.Delay(250);
        }

        var late = await app.SendAsync(HttpMethod.Post, $"api/childcare/employment-certificate-requests/{requestCode}/certificate",
            new { certificate, delegationNumber = number, signature = Signed(hr, certificate) }, bearerFor: hrId);
        await ProblemAssert.ExactAsync(late, HttpStatusCode.Conflict, "request_closed");
        var decision = await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{application.Id}/decision",
            new { decision = "approved", notice = new { subject = "s", body = "b" } }, apiKey: ChiyodaKey);
        await ProblemAssert.ExactAsync(decision, HttpStatusCode.Conflict, "application_state_conflict");
    }

    [Fact]
    public async Task A_withdrawal_signed_by_someone_else_is_holder_name_mismatch()
    {
        var (_, application) = await OpenRequestAsync();
        var (_, stranger) = await app.NewCardholderAsync(new CardHolder("他人　三郎", "大阪府大阪市北区1-1", new DateOnly(1980, 1, 1), "male"));
        var response = await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{application.Id}/withdrawal",
            new { signature = Signed(stranger, new { action = "withdraw", applicationId = application.Id }) }, bearerFor: application.ParentId);
        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnprocessableEntity, "holder_name_mismatch");
    }

    [Fact]
    public async Task An_amendment_signed_by_someone_else_is_holder_name_mismatch()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var form = Allowance(DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime).AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var applicationId = (await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, form), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!;
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "returned", notice = new { subject = "補正のお願い", body = "口座名義をご確認ください。" } }, apiKey: ChiyodaKey), HttpStatusCode.OK);
        var (_, stranger) = await app.NewCardholderAsync(new CardHolder("他人　三郎", "大阪府大阪市北区1-1", new DateOnly(1980, 1, 1), "male"));

        var response = await app.AmendAsync(parentId, stranger, applicationId, form);
        await ProblemAssert.ExactAsync(response, HttpStatusCode.UnprocessableEntity, "holder_name_mismatch");
    }

    [Fact]
    public async Task An_amendment_beyond_the_workflow_s_rounds_is_application_state_conflict()
    {
        // The workflow follows MaxRounds decisions; an amendment it would never follow must not leave a received application no workflow delivers a decision for.
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var form = Allowance(DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime).AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var applicationId = (await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, form), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!;
        var decision = new { decision = "returned", notice = new { subject = "補正のお願い", body = "口座名義をご確認ください。" } };
        for (var round = 1; round < ServerlessMyKey.Core.Childcare.ApplicationOrchestrator.MaxRounds; round++)
        {
            await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision", decision, apiKey: ChiyodaKey), HttpStatusCode.OK);
            await ResponseAssert.JsonAsync(await app.AmendAsync(parentId, parent, applicationId, form), HttpStatusCode.OK);
        }

        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision", decision, apiKey: ChiyodaKey), HttpStatusCode.OK);
        var response = await app.AmendAsync(parentId, parent, applicationId, form);
        await ProblemAssert.ExactAsync(response, HttpStatusCode.Conflict, "application_state_conflict");
    }

    [Fact]
    public async Task Another_municipality_or_parent_does_not_see_the_application()
    {
        var (_, application) = await OpenRequestAsync();
        var otherParent = await app.NewCitizenAsync();

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{application.Id}", apiKey: MinatoKey), HttpStatusCode.NotFound, "application_not_found");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{application.Id}", bearerFor: otherParent), HttpStatusCode.NotFound, "application_not_found");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{application.Id}/status", new { status = "in_review" }, apiKey: MinatoKey), HttpStatusCode.NotFound, "application_not_found");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications?municipalityCode=131016", apiKey: MinatoKey), HttpStatusCode.NotFound, "not_found");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications?municipalityCode=131016", apiKey: ClinicKey), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_unknown_request_code_is_employment_request_not_found()
    {
        var hrId = await app.NewCitizenAsync();
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/employment-certificate-requests/AAAA-BBBB-CCCC-DDDD", bearerFor: hrId), HttpStatusCode.NotFound, "employment_request_not_found");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/employment-certificate-requests/not-a-code", bearerFor: hrId), HttpStatusCode.NotFound, "employment_request_not_found");
    }

    private async Task<(string RequestCode, (string Id, string ParentId, VirtualCard Card) Application)> OpenRequestAsync()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var accepted = await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Nursery(CorporateNumber)), HttpStatusCode.Accepted);
        return (accepted.GetProperty("employmentCertificateRequests")[0].GetProperty("requestCode").GetString()!, (accepted.GetProperty("applicationId").GetString()!, parentId, parent));
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string? delegationCode)
    {
        var body = await ResponseAssert.JsonAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("delegation_not_authorized", body.GetProperty("code").GetString());
        Assert.Equal(delegationCode ?? "delegation_not_found", body.GetProperty("delegationCode").GetString());
    }
}
