using System.Net;
using System.Text.Json;
using ServerlessMyKey.Cli;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Mailbox;

/// <summary>電子私書箱 over real HTTP: the holder's choice of senders, deliveries, reading, the fresh-login rule, deletion, paging.</summary>
public sealed class MailboxApiTests(MailboxApiFixture app) : IClassFixture<MailboxApiFixture>
{
    [Fact]
    public async Task A_sender_the_holder_has_not_allowed_is_refused_the_same_for_an_unknown_MyKey_ID()
    {
        var holder = await app.NewCitizenAsync();

        await AssertProblemAsync(await DeliverAsync(holder, "s"), HttpStatusCode.UnprocessableEntity, "recipient_not_accepting");
        await AssertProblemAsync(await DeliverAsync("ZZZZ9999", "s"), HttpStatusCode.UnprocessableEntity, "recipient_not_accepting");
        await AllowAsync(holder);
        await JsonAsync(await app.SendAsync(HttpMethod.Delete, "api/mailbox/senders/clinic", bearerFor: holder), HttpStatusCode.OK);
        await AssertProblemAsync(await DeliverAsync(holder, "s"), HttpStatusCode.UnprocessableEntity, "recipient_not_accepting");
        var senders = await JsonAsync(await app.SendAsync(HttpMethod.Get, "api/mailbox/senders", bearerFor: holder), HttpStatusCode.OK);
        Assert.Equal("blocked", senders.GetProperty("senders")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_allowed_sender_delivers_the_holder_reads_and_the_delivery_is_viewed()
    {
        var holder = await app.NewCitizenAsync();
        await AllowAsync(holder);

        var first = await JsonAsync(await DeliverAsync(holder, "予防接種のお知らせ", key: "k1"), HttpStatusCode.Accepted);
        var replay = await JsonAsync(await DeliverAsync(holder, "予防接種のお知らせ", key: "k1"), HttpStatusCode.Accepted);
        await AssertProblemAsync(await DeliverAsync(holder, "別の件名", key: "k1"), HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        var messageId = first.GetProperty("messageId").GetString()!;
        Assert.Equal(messageId, replay.GetProperty("messageId").GetString());
        Assert.Equal("delivered", (await JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ClinicKey), HttpStatusCode.OK)).GetProperty("status").GetString());

        var message = await JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: holder), HttpStatusCode.OK);
        Assert.Equal("%PDF-1.7", System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(message.GetProperty("attachments")[0].GetProperty("content").GetString()!)));
        var delivery = await JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ClinicKey), HttpStatusCode.OK);
        Assert.Equal("viewed", delivery.GetProperty("status").GetString());
        Assert.True(delivery.TryGetProperty("viewedAt", out _));

        // Another holder and another sender see nothing of it.
        await AssertProblemAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: await app.NewCitizenAsync()), HttpStatusCode.NotFound, "message_not_found");
        await AssertProblemAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ChiyodaKey), HttpStatusCode.NotFound, "message_not_found");

        Assert.Equal(HttpStatusCode.NoContent, (await app.SendAsync(HttpMethod.Delete, $"api/mailbox/messages/{messageId}", bearerFor: holder)).StatusCode);
        Assert.Equal("deleted", (await JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ClinicKey), HttpStatusCode.OK)).GetProperty("status").GetString());
        await AssertProblemAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: holder), HttpStatusCode.NotFound, "message_not_found");
    }

    [Fact]
    public async Task An_important_document_needs_a_login_of_the_last_five_minutes()
    {
        var (holder, card) = await app.NewCardholderAsync(Parent);
        await AllowAsync(holder);
        var messageId = (await JsonAsync(await DeliverAsync(holder, "重要：契約書", requireFreshLogin: true), HttpStatusCode.Accepted)).GetProperty("messageId").GetString()!;

        app.Clock.Advance(TimeSpan.FromMinutes(6));
        await AssertProblemAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: holder), HttpStatusCode.Unauthorized, "fresh_login_required");
        Assert.Equal("delivered", (await JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ClinicKey), HttpStatusCode.OK)).GetProperty("status").GetString());

        var session = await new MyKeyApiClient(app.Http).LoginAsync(card);
        using var read = new HttpRequestMessage(HttpMethod.Get, $"api/mailbox/messages/{messageId}");
        read.Headers.TryAddWithoutValidation("Authorization", "Bearer " + session.GetProperty("accessToken").GetString());
        await JsonAsync(await app.Http.SendAsync(read), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Messages_are_listed_newest_first_in_pages()
    {
        var holder = await app.NewCitizenAsync();
        await AllowAsync(holder);
        foreach (var subject in new[] { "一", "二", "三" })
        {
            await JsonAsync(await DeliverAsync(holder, subject), HttpStatusCode.Accepted);
        }

        var first = await JsonAsync(await app.SendAsync(HttpMethod.Get, "api/mailbox/messages?limit=2", bearerFor: holder), HttpStatusCode.OK);
        var token = Uri.EscapeDataString(first.GetProperty("continuationToken").GetString()!);
        var second = await JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages?limit=2&continuationToken={token}", bearerFor: holder), HttpStatusCode.OK);

        Assert.Equal(["三", "二"], first.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("subject").GetString()));
        Assert.Equal(["一"], second.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("subject").GetString()));
        await AssertProblemAsync(await app.SendAsync(HttpMethod.Get, "api/mailbox/messages?limit=0", bearerFor: holder), HttpStatusCode.BadRequest, "invalid_request");
    }

    private async Task AllowAsync(string holder) =>
        Assert.Equal("allowed", (await JsonAsync(await app.SendAsync(HttpMethod.Put, "api/mailbox/senders/clinic", bearerFor: holder), HttpStatusCode.OK)).GetProperty("status").GetString());

    private Task<HttpResponseMessage> DeliverAsync(string recipient, string subject, string? key = null, bool requireFreshLogin = false) =>
        app.SendAsync(HttpMethod.Post, "api/mailbox/deliveries", new
        {
            recipient = new { myKeyId = recipient },
            subject,
            body = "本文",
            attachments = new[] { new { name = "notice.pdf", contentType = "application/pdf", content = Convert.ToBase64String("%PDF-1.7"u8.ToArray()) } },
            requireFreshLogin,
        }, apiKey: ClinicKey, idempotencyKey: key);
}
