using System.Net;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareWalkthroughTests;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>
/// The whole workflow — employer certificate, review note, a returned decision, the amendment, the final
/// decision, the notices read — then every task-hub table and blob, the child-care and mailbox tables and
/// the app's log lines are scanned for the applicant's, the child's and the HR employee's names.
/// </summary>
public sealed class PersonalDataScanTests(ChildcareApiFixture app) : IClassFixture<ChildcareApiFixture>
{
    private const string ChildName = "子育　太郎";

    [Fact]
    public async Task No_name_reaches_the_task_hub_the_tables_or_the_logs_through_a_returned_amended_and_decided_application()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var (hrId, hr, number) = await app.EmployerHrAsync();
        var accepted = await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Nursery(CorporateNumber)), HttpStatusCode.Accepted);
        var applicationId = accepted.GetProperty("applicationId").GetString()!;
        var requestCode = accepted.GetProperty("employmentCertificateRequests")[0].GetProperty("requestCode").GetString()!;
        var certificate = EmploymentCertificate(CorporateNumber);
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/employment-certificate-requests/{requestCode}/certificate",
            new { certificate, delegationNumber = number, signature = Signed(hr, certificate) }, bearerFor: hrId), HttpStatusCode.Created);
        await app.WaitForStatusAsync(applicationId, "received");

        // The municipality's note, subjects and bodies name the people: they must stay encrypted.
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/status", new { status = "in_review", note = $"{Parent.Name}様 {ChildName} 確認中" }, apiKey: ChiyodaKey), HttpStatusCode.OK);
        var returnedSubject = $"{ChildName}さんの保育所等利用申込の補正 {applicationId}";
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "returned", notice = new { subject = returnedSubject, body = $"{Parent.Name}様 勤務先 {HrEmployee.Name} 様の証明書をご確認ください。" } }, apiKey: ChiyodaKey), HttpStatusCode.OK);
        var returned = await app.WaitForMessageAsync(parentId, returnedSubject);
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{returned.GetProperty("messageId").GetString()}", bearerFor: parentId), HttpStatusCode.OK);
        await app.WaitForNoticesAsync(applicationId, 1);

        Assert.Equal("received", (await ResponseAssert.JsonAsync(await app.AmendAsync(parentId, parent, applicationId, Nursery(CorporateNumber)), HttpStatusCode.OK)).GetProperty("status").GetString());
        var approvedSubject = $"{ChildName}さんの保育所等利用決定通知 {applicationId}";
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "approved", notice = new { subject = approvedSubject, body = $"{Parent.Name}様 {ChildName}さんの利用を決定しました。" } }, apiKey: ChiyodaKey), HttpStatusCode.OK);
        var approved = await app.WaitForMessageAsync(parentId, approvedSubject);
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{approved.GetProperty("messageId").GetString()}", bearerFor: parentId), HttpStatusCode.OK);
        await app.Webhooks.WaitForAsync(h => h.TryGetProperty("messageId", out var m) && m.GetString() == approved.GetProperty("messageId").GetString());
        var final = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", bearerFor: parentId), HttpStatusCode.OK);
        Assert.Equal(["awaiting_documents", "received", "in_review", "returned", "received", "approved"], final.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.Equal(2, final.GetProperty("notices").GetArrayLength());

        string[] names = [Parent.Name, ChildName, HrEmployee.Name];
        Assert.Contains(app.Logs.Lines, line => line.Contains(applicationId, StringComparison.Ordinal)); // the capture sees the app's Information lines
        await AssertNoTaskHubHoldsAsync(names);
        DeadlineTests.AssertNotLogged(app, names);
    }
}
