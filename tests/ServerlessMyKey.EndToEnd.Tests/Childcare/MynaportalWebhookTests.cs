using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Core.Security;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>Mynaportal's webhook: signed, idempotent by eventId, the application runs as the parent's own, or is held until claimed.</summary>
public sealed class MynaportalWebhookTests(ChildcareApiFixture app) : IClassFixture<ChildcareApiFixture>
{
    [Fact]
    public async Task A_linked_signer_s_application_runs_at_once_and_the_same_event_answers_the_same()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, ChildcareApiFixture.Allowance("2026-01-05")), HttpStatusCode.Accepted); // links the signing certificate
        var eventId = "evt-" + Guid.NewGuid().ToString("N");
        var body = Event(eventId, parent, ChildcareApiFixture.Allowance("2026-01-06"));

        var signedAt = DateTimeOffset.UtcNow;
        var first = await PostAsync(body, signedAt);
        var again = await PostAsync(body, signedAt.AddSeconds(1)); // the sender's retry, signed again

        var accepted = await ResponseAssert.JsonAsync(first, HttpStatusCode.Accepted);
        Assert.Equal("received", accepted.GetProperty("status").GetString());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        var view = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/childcare/applications/{accepted.GetProperty("applicationId").GetString()}", bearerFor: parentId), HttpStatusCode.OK);
        Assert.Equal("2026-01-06", view.GetProperty("form").GetProperty("eventDate").GetString());
    }

    [Fact]
    public async Task An_unlinked_signer_s_application_is_held_until_the_parent_claims_it()
    {
        var card = app.Pki.IssueCard(Parent);
        var accepted = await ResponseAssert.JsonAsync(await PostAsync(Event("evt-" + Guid.NewGuid().ToString("N"), card, Nursery(CorporateNumber))), HttpStatusCode.Accepted);
        var applicationId = accepted.GetProperty("applicationId").GetString()!;
        Assert.Equal("held", accepted.GetProperty("status").GetString());

        var session = await new ServerlessMyKey.Cli.MyKeyApiClient(app.Http).LoginAsync(card);
        var myKeyId = session.GetProperty("myKeyId").GetString();
        using var claim = new HttpRequestMessage(HttpMethod.Post, $"api/childcare/applications/{applicationId}/claim")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { signature = Signed(card, new { action = "claim", applicationId, myKeyId }) }),
        };
        claim.Headers.TryAddWithoutValidation("Authorization", "Bearer " + session.GetProperty("accessToken").GetString());
        Assert.Equal("awaiting_documents", (await ResponseAssert.JsonAsync(await app.Http.SendAsync(claim), HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_application_naming_another_account_than_the_signer_s_link_is_held()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, ChildcareApiFixture.Allowance("2026-01-05")), HttpStatusCode.Accepted); // links the signing certificate
        var otherId = await app.NewCitizenAsync();

        var accepted = await ResponseAssert.JsonAsync(await PostAsync(Event("evt-" + Guid.NewGuid().ToString("N"), parent, For(otherId, ChildcareApiFixture.Allowance("2026-01-06")))), HttpStatusCode.Accepted);

        Assert.Equal("held", accepted.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_claim_statement_posted_by_another_account_is_signature_invalid()
    {
        var card = app.Pki.IssueCard(Parent);
        var applicationId = (await ResponseAssert.JsonAsync(await PostAsync(Event("evt-" + Guid.NewGuid().ToString("N"), card, Nursery(CorporateNumber))), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!;
        var (parentId, _) = await app.NewCardholderAsync(Parent);
        var attackerId = await app.NewCitizenAsync();
        var statement = new { signature = Signed(card, new { action = "claim", applicationId, myKeyId = parentId }) };

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/claim", statement, bearerFor: attackerId), HttpStatusCode.Unauthorized, "signature_invalid");
        Assert.Equal("awaiting_documents", (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/claim", statement, bearerFor: parentId), HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_signer_linked_to_another_parent_is_holder_name_mismatch()
    {
        // The link (and with it the signer's Mynaportal applications) is not taken over: the card's holder signs for a second account of theirs: the link stays with the first.
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, ChildcareApiFixture.Allowance("2026-01-05")), HttpStatusCode.Accepted);
        var otherId = await app.NewCitizenAsync();

        await ProblemAssert.ExactAsync(await app.SubmitAsync(otherId, parent, ChildcareApiFixture.Allowance("2026-01-05")), HttpStatusCode.UnprocessableEntity, "holder_name_mismatch");
    }

    [Fact]
    public async Task A_captured_request_sent_again_within_its_window_is_webhook_replayed()
    {
        var (parentId, parent) = await app.NewCardholderAsync(Parent);
        await ResponseAssert.JsonAsync(await app.SubmitAsync(parentId, parent, ChildcareApiFixture.Allowance("2026-01-05")), HttpStatusCode.Accepted);
        var body = Event("evt-" + Guid.NewGuid().ToString("N"), parent, ChildcareApiFixture.Allowance("2026-01-07"));
        var captured = WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes(MynaportalSecret), DateTimeOffset.UtcNow, body);

        await ResponseAssert.JsonAsync(await PostSignedAsync(body, captured), HttpStatusCode.Accepted);
        var replayed = await PostSignedAsync(body, captured);

        Assert.Equal(HttpStatusCode.Conflict, replayed.StatusCode);
        Assert.Equal("webhook_replayed", (await ResponseAssert.JsonAsync(replayed, HttpStatusCode.Conflict)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_wrong_signature_header_is_unauthenticated()
    {
        var card = app.Pki.IssueCard(Parent);
        var body = Event("evt-1", card, Nursery());
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/webhooks/mynaportal") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes("another-secret-of-enough-length"), DateTimeOffset.UtcNow, body));
        await ProblemAssert.ExactAsync(await app.Http.SendAsync(request), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    private static byte[] Event(string eventId, VirtualCard card, object application) =>
        JsonSerializer.SerializeToUtf8Bytes(new { eventId, type = "application.submitted", application, signature = Signed(card, application) }, new JsonSerializerOptions(JsonSerializerDefaults.Web));

    private Task<HttpResponseMessage> PostAsync(byte[] body, DateTimeOffset? signedAt = null) =>
        PostSignedAsync(body, WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes(MynaportalSecret), signedAt ?? DateTimeOffset.UtcNow, body));

    private Task<HttpResponseMessage> PostSignedAsync(byte[] body, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/webhooks/mynaportal") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, signature);
        return app.Http.SendAsync(request);
    }
}
