using System.Net;
using System.Text.Json;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareWalkthroughTests;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>The child-care DevHost with a short employer-response window (<c>Childcare:EmployerResponseDays</c> 0.0001 = 8.64 s; the reminder half-way).</summary>
public sealed class ShortDeadlineFixture : ChildcareApiFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings() =>
        new Dictionary<string, string?>(base.Settings()) { ["Childcare:EmployerResponseDays"] = "0.0001" };
}

/// <summary>
/// The deadline path end to end: the reminder lands in the parent's mailbox half-way, at the deadline the
/// application goes to the municipality as <c>received</c> with <c>missingDocuments</c>, and HR's
/// certificate after it is <c>409 request_closed</c>. Every wait is on the observable state.
/// </summary>
public sealed class DeadlineTests(ShortDeadlineFixture app) : IClassFixture<ShortDeadlineFixture>
{
    private const string ReminderSubject = "就労証明書の提出状況（リマインド）";

    [Fact]
    public async Task Without_the_certificate_the_parent_is_reminded_and_the_application_is_handed_over_with_it_missing()
    {
        var (hrId, hr, number) = await app.EmployerHrAsync();
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        var accepted = await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, Nursery(CorporateNumber)), HttpStatusCode.Accepted);
        var applicationId = accepted.GetProperty("applicationId").GetString()!;
        var requestCode = accepted.GetProperty("employmentCertificateRequests")[0].GetProperty("requestCode").GetString()!;

        var reminder = await app.WaitForMessageAsync(parentId, ReminderSubject);
        Assert.Equal("mykey-childcare", reminder.GetProperty("senderId").GetString());
        var read = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{reminder.GetProperty("messageId").GetString()}", bearerFor: parentId), HttpStatusCode.OK);
        Assert.Contains(requestCode, read.GetProperty("body").GetString());

        var received = await app.WaitForStatusAsync(applicationId, "received");
        var missing = Assert.Single(received.GetProperty("missingDocuments").EnumerateArray());
        Assert.Equal(requestCode, missing.GetProperty("requestCode").GetString());
        Assert.Equal("closed", missing.GetProperty("status").GetString());
        Assert.Equal(0, received.GetProperty("employmentCertificates").GetArrayLength());
        var handedOver = received.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("workflow", handedOver.GetProperty("by").GetString());

        // The reminder came half-way: before the hand-over, after the submission.
        var submittedAt = received.GetProperty("submittedAt").GetDateTimeOffset();
        var remindedAt = reminder.GetProperty("deliveredAt").GetDateTimeOffset();
        Assert.InRange(remindedAt, submittedAt, handedOver.GetProperty("at").GetDateTimeOffset());

        var certificate = EmploymentCertificate(CorporateNumber);
        var late = await app.SendAsync(HttpMethod.Post, $"api/childcare/employment-certificate-requests/{requestCode}/certificate",
            new { certificate, delegationNumber = number, signature = Signed(hr, certificate) }, bearerFor: hrId);
        await ProblemAssert.ExactAsync(late, HttpStatusCode.Conflict, "request_closed");
        Assert.Equal("received", (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", bearerFor: parentId), HttpStatusCode.OK)).GetProperty("status").GetString());

        // Nothing personal went through the task hub or the logs on this path (reminder, hand-over) either.
        await AssertNoTaskHubHoldsAsync([Parent.Name, "子育　太郎", HrEmployee.Name]);
        AssertNotLogged(app, [Parent.Name, "子育　太郎", HrEmployee.Name]);
    }

    internal static void AssertNotLogged(ChildcareApiFixture fixture, IReadOnlyList<string> texts)
    {
        Assert.NotEmpty(fixture.Logs.Lines);
        foreach (var line in fixture.Logs.Lines)
        {
            foreach (var text in texts)
            {
                Assert.False(line.Contains(text, StringComparison.Ordinal) || line.Contains(JsonSerializer.Serialize(text).Trim('"'), StringComparison.Ordinal), $"Logged: {line}");
            }
        }
    }
}
