using System.Net;
using Azure.Storage.Blobs;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>Two amendments at once: the one whose update wins is the document the application shows; the loser's blob is gone.</summary>
public sealed class ConcurrentAmendmentTests(ChildcareApiFixture app) : IClassFixture<ChildcareApiFixture>
{
    [Fact]
    public async Task The_losing_amendment_does_not_overwrite_the_winner_s_document()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var applicationId = (await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Pregnancy(12)), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!;
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "returned", notice = new { subject = "補正のお願い", body = "週数をご確認ください。" } }, apiKey: ChiyodaKey), HttpStatusCode.OK);

        // The workflow records the notice on the row too: wait for it, so only the two amendments write.
        await app.WaitForNoticesAsync(applicationId, 1);

        // A writes its document and reaches the update; B then writes its document (after A's) and reaches the update;
        // A's update goes first and wins, B's finds the row changed.
        app.Gate.Arm(applicationId);
        var first = app.AmendAsync(parentId, parent, applicationId, Pregnancy(13));
        await app.Gate.FirstArrived;
        var second = await app.AmendAsync(parentId, parent, applicationId, Pregnancy(14));
        var winner = await first;

        Assert.Equal("received", (await ResponseAssert.JsonAsync(winner, HttpStatusCode.OK)).GetProperty("status").GetString());
        await ProblemAssert.ExactAsync(second, HttpStatusCode.Conflict, "application_state_conflict");
        var view = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", apiKey: ChiyodaKey), HttpStatusCode.OK);
        Assert.Equal(13, view.GetProperty("form").GetProperty("pregnancyWeeks").GetInt32());

        // The first version and the winner's amendment are kept; the loser's blob was removed.
        var container = new BlobServiceClient(await AzuriteServer.GetConnectionStringAsync()).GetBlobContainerClient("childcare-applications");
        var documents = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, applicationId + "/application-", CancellationToken.None))
        {
            documents.Add(blob.Name);
        }

        Assert.Equal(2, documents.Count);
    }
}
