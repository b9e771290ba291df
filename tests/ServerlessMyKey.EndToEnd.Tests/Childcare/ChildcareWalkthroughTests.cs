using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>
/// A parent, an employer and a municipality run a nursery application and a child-allowance claim end
/// to end over real HTTP: the parent applies, HR signs the 就労証明書 under the company's 電子委任状,
/// the municipality pulls, reviews and decides, the notice lands in the mailbox and the read receipt
/// reaches the municipality's webhook.
/// </summary>
public sealed class ChildcareWalkthroughTests(ChildcareApiFixture app) : IClassFixture<ChildcareApiFixture>
{
    [Fact]
    public async Task A_nursery_application_runs_from_the_parent_through_HR_and_the_municipality_to_the_mailbox()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var (hrId, hr, number) = await app.EmployerHrAsync();

        // The parent applies once, naming the employer.
        var accepted = await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Nursery(CorporateNumber)), HttpStatusCode.Accepted);
        var applicationId = accepted.GetProperty("applicationId").GetString()!;
        Assert.Equal("awaiting_documents", accepted.GetProperty("status").GetString());
        Assert.StartsWith("131016-", accepted.GetProperty("receiptNumber").GetString());
        var requestCode = accepted.GetProperty("employmentCertificateRequests")[0].GetProperty("requestCode").GetString()!;

        // HR reads the request with the code the parent passed on, and signs the certificate.
        var request = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/employment-certificate-requests/{requestCode}", bearerFor: hrId), HttpStatusCode.OK);
        Assert.Equal(Parent.Name, request.GetProperty("applicantName").GetString());
        Assert.Equal("open", request.GetProperty("status").GetString());
        var certificate = EmploymentCertificate(CorporateNumber);
        var fulfilled = await app.SendAsync(HttpMethod.Post, $"api/childcare/employment-certificate-requests/{requestCode}/certificate",
            new { certificate, delegationNumber = number, signature = Signed(hr, certificate) }, bearerFor: hrId);
        Assert.Equal("fulfilled", (await ResponseAssert.JsonAsync(fulfilled, HttpStatusCode.Created)).GetProperty("status").GetString());

        // The workflow hands the application to the municipality, which pulls it.
        var received = await app.WaitForStatusAsync(applicationId, "received");
        Assert.Equal(Parent.Name, received.GetProperty("applicant").GetProperty("name").GetString());
        var employment = received.GetProperty("employmentCertificates")[0];
        Assert.Equal(HrEmployee.Name, employment.GetProperty("signerName").GetString());
        Assert.Equal(number, employment.GetProperty("delegationNumber").GetString());
        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Get, $"api/signatures/receipts/{employment.GetProperty("verificationReceiptId").GetString()}", apiKey: ChiyodaKey)).StatusCode);
        Assert.Equal(0, received.GetProperty("missingDocuments").GetArrayLength());
        var list = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, "api/childcare/applications?municipalityCode=131016&status=received&procedure=nursery.application&limit=100", apiKey: ChiyodaKey), HttpStatusCode.OK);
        Assert.Contains(list.GetProperty("applications").EnumerateArray(), a => a.GetProperty("applicationId").GetString() == applicationId);

        // Review and decision; the notice arrives in the parent's mailbox.
        Assert.Equal("in_review", (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/status", new { status = "in_review", note = "書類確認中" }, apiKey: ChiyodaKey), HttpStatusCode.OK)).GetProperty("status").GetString());
        var subject = "保育所等利用決定通知 " + applicationId;
        var decided = await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "approved", notice = new { subject, body = "令和9年4月1日から九段保育園の利用を決定しました。" } }, apiKey: ChiyodaKey);
        Assert.Equal("approved", (await ResponseAssert.JsonAsync(decided, HttpStatusCode.OK)).GetProperty("status").GetString());
        var listed = await app.WaitForMessageAsync(parentId, subject);
        Assert.Equal("chiyoda", listed.GetProperty("senderId").GetString());
        var messageId = listed.GetProperty("messageId").GetString()!;

        // The parent reads it; the municipality hears mailbox.viewed once, and sees viewed.
        var read = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: parentId), HttpStatusCode.OK);
        Assert.Contains("九段保育園", read.GetProperty("body").GetString());
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: parentId), HttpStatusCode.OK);
        var (signature, hook) = await app.Webhooks.WaitForAsync(h => h.TryGetProperty("messageId", out var m) && m.GetString() == messageId);
        Assert.Equal("mailbox.viewed", JsonDocument.Parse(hook).RootElement.GetProperty("event").GetString());
        Assert.StartsWith("t=", signature);
        var delivery = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ChiyodaKey), HttpStatusCode.OK);
        Assert.Equal("viewed", delivery.GetProperty("status").GetString());
        var final = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", bearerFor: parentId), HttpStatusCode.OK);
        Assert.Equal(["awaiting_documents", "received", "in_review", "approved"], final.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.Equal(messageId, final.GetProperty("notices")[0].GetProperty("messageId").GetString());
        Assert.Single(app.Webhooks.Received, h => Encoding.UTF8.GetString(h.Body).Contains(messageId, StringComparison.Ordinal));

        // Nothing of the applicant's name reached any table: not the Durable task hub, not the app's own.
        await AssertNoTaskHubHoldsAsync([Parent.Name]);
    }

    [Fact]
    public async Task A_child_allowance_claim_is_returned_amended_and_approved()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);
        var late = Allowance(today.AddDays(-20).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        var accepted = await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, late), HttpStatusCode.Accepted);
        var applicationId = accepted.GetProperty("applicationId").GetString()!;
        Assert.Equal("received", accepted.GetProperty("status").GetString());
        Assert.Equal(today.AddDays(-5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), accepted.GetProperty("deadline").GetString());
        Assert.True(accepted.GetProperty("late").GetBoolean());
        Assert.Equal(today.AddMonths(1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), accepted.GetProperty("paymentStartMonth").GetString());

        var returnedSubject = "児童手当 認定請求の補正のお願い " + applicationId;
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "returned", notice = new { subject = returnedSubject, body = "口座名義をご確認ください。" } }, apiKey: ChiyodaKey), HttpStatusCode.OK);
        await app.WaitForMessageAsync(parentId, returnedSubject);

        // A decision on a returned application is a state conflict; the parent amends.
        var conflict = await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "approved", notice = new { subject = "x", body = "x" } }, apiKey: ChiyodaKey);
        await ProblemAssert.ExactAsync(conflict, HttpStatusCode.Conflict, "application_state_conflict");
        var amendedForm = Allowance(today.AddDays(-20).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var amended = await app.AmendAsync(parentId, parent, applicationId, amendedForm);
        Assert.Equal("received", (await ResponseAssert.JsonAsync(amended, HttpStatusCode.OK)).GetProperty("status").GetString());

        var approvedSubject = "児童手当 認定通知 " + applicationId;
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/decision",
            new { decision = "approved", notice = new { subject = approvedSubject, body = "認定しました。" } }, apiKey: ChiyodaKey), HttpStatusCode.OK);
        await app.WaitForMessageAsync(parentId, approvedSubject);
        var final = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", apiKey: ChiyodaKey), HttpStatusCode.OK);
        Assert.Equal(["received", "returned", "received", "approved"], final.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.Equal(2, final.GetProperty("notices").GetArrayLength());
    }

    public static Dictionary<string, object?> EmploymentCertificate(string corporateNumber) => new()
    {
        ["corporateNumber"] = corporateNumber,
        ["employeeName"] = Parent.Name,
        ["employmentType"] = "regular",
        ["weeklyHours"] = 40,
        ["startedOn"] = "2018-04-01",
        ["workplace"] = "東京都港区芝公園4-2-8",
    };

    /// <summary>
    /// Scans the Durable task hubs' tables (History, Instances) and blobs (large messages, leases, gzip
    /// opened) and the child-care and mailbox tables of the test account for each of <paramref name="texts"/>,
    /// raw and as System.Text.Json escapes it.
    /// </summary>
    internal static async Task AssertNoTaskHubHoldsAsync(IReadOnlyList<string> texts)
    {
        var needles = texts.SelectMany(t => new[] { t, JsonSerializer.Serialize(t).Trim('"') }).Distinct().ToList();
        var connection = await AzuriteServer.GetConnectionStringAsync();
        var service = new TableServiceClient(connection);
        var scanned = 0;
        await foreach (var table in service.QueryAsync())
        {
            if (!(table.Name.EndsWith("History", StringComparison.Ordinal) || table.Name.EndsWith("Instances", StringComparison.Ordinal)
                || table.Name.StartsWith("Childcare", StringComparison.Ordinal) || table.Name.StartsWith("Mailbox", StringComparison.Ordinal)))
            {
                continue;
            }

            await foreach (var entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                foreach (var value in entity.Select(p => p.Value).OfType<string>())
                {
                    Assert.False(needles.Any(n => value.Contains(n, StringComparison.Ordinal)), $"Table {table.Name} holds personal data in {entity.PartitionKey}/{entity.RowKey}.");
                }

                scanned++;
            }
        }

        var blobs = new BlobServiceClient(connection);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            if (!(container.Name.EndsWith("-largemessages", StringComparison.Ordinal) || container.Name.EndsWith("-leases", StringComparison.Ordinal)
                || container.Name.EndsWith("-applease", StringComparison.Ordinal)))
            {
                continue;
            }

            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                var text = Text((await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray());
                Assert.False(needles.Any(n => text.Contains(n, StringComparison.Ordinal)), $"Blob {container.Name}/{blob.Name} holds personal data.");
                scanned++;
            }
        }

        Assert.True(scanned > 0);
    }

    /// <summary>A blob's text; DurableTask.AzureStorage gzips its large messages.</summary>
    private static string Text(byte[] content)
    {
        if (content is [0x1f, 0x8b, ..])
        {
            using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        return Encoding.UTF8.GetString(content);
    }
}
