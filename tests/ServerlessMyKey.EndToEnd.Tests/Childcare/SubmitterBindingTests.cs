using System.Net;
using Microsoft.DurableTask.Client;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>A signed application runs only for the account it names inside what was signed (<c>applicantMyKeyId</c>).</summary>
public sealed class SubmitterBindingTests(ChildcareApiFixture app) : IClassFixture<ChildcareApiFixture>
{
    [Fact]
    public async Task Another_account_posting_the_parent_s_signed_application_first_is_signer_not_submitter()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var attackerId = await app.NewCitizenAsync();
        var application = For(parentId, Pregnancy(12));
        var body = new { application, signature = Signed(parent, application) };

        var stolen = await app.SendAsync(HttpMethod.Post, "api/childcare/applications", body, bearerFor: attackerId);

        await ProblemAssert.ExactAsync(stolen, HttpStatusCode.Forbidden, "signer_not_submitter");
        var accepted = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, "api/childcare/applications", body, bearerFor: parentId), HttpStatusCode.Accepted);
        var applicationId = accepted.GetProperty("applicationId").GetString()!;
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", bearerFor: parentId), HttpStatusCode.OK);
        Assert.Equal(0, (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications", bearerFor: attackerId), HttpStatusCode.OK)).GetProperty("applications").GetArrayLength());
    }

    [Fact]
    public async Task An_application_that_names_no_applicant_is_signer_not_submitter()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var application = Pregnancy(12);

        var response = await app.SendAsync(HttpMethod.Post, "api/childcare/applications", new { application, signature = Signed(parent, application) }, bearerFor: parentId);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Forbidden, "signer_not_submitter");
    }

    [Fact]
    public async Task An_amendment_that_names_another_account_is_signer_not_submitter()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var otherId = await app.NewCitizenAsync();
        var applicationId = (await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Pregnancy(12)), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!;
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "returned", notice = new { subject = "補正のお願い", body = "週数をご確認ください。" } }, apiKey: ChiyodaKey), HttpStatusCode.OK);

        var response = await app.AmendAsync(parentId, parent, applicationId, For(otherId, Pregnancy(13)));

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Forbidden, "signer_not_submitter");
    }
    [Fact]
    public async Task Replaying_a_withdrawn_application_after_its_workflow_was_purged_does_not_start_it_again()
    {
        var durable = app.Host.DurableClient!;
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var key = Guid.NewGuid().ToString("N");
        var applicationId = (await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Pregnancy(12), key), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!;
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/withdrawal",
            new { signature = Signed(parent, new { action = "withdraw", applicationId }) }, bearerFor: parentId), HttpStatusCode.OK);
        using (var finished = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await durable.WaitForInstanceCompletionAsync(applicationId, finished.Token);
        }

        await durable.PurgeInstanceAsync(applicationId);

        var replayed = await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Pregnancy(12), key), HttpStatusCode.Accepted);

        Assert.Equal(applicationId, replayed.GetProperty("applicationId").GetString());
        Assert.Null(await durable.GetInstanceAsync(applicationId));
        Assert.Equal("withdrawn", (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", bearerFor: parentId), HttpStatusCode.OK)).GetProperty("status").GetString());
    }
}
