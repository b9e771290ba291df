using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Testing;
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

        await ProblemAssert.ExactAsync(await DeliverAsync(holder, "s"), HttpStatusCode.UnprocessableEntity, "recipient_not_accepting");
        await ProblemAssert.ExactAsync(await DeliverAsync("ZZZZ9999", "s"), HttpStatusCode.UnprocessableEntity, "recipient_not_accepting");
        await AllowAsync(holder);
        await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Delete, "api/mailbox/senders/clinic", bearerFor: holder), HttpStatusCode.OK);
        await ProblemAssert.ExactAsync(await DeliverAsync(holder, "s"), HttpStatusCode.UnprocessableEntity, "recipient_not_accepting");
        var senders = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, "api/mailbox/senders", bearerFor: holder), HttpStatusCode.OK);
        Assert.Equal("blocked", senders.GetProperty("senders")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_allowed_sender_delivers_the_holder_reads_and_the_delivery_is_viewed()
    {
        var holder = await app.NewCitizenAsync();
        await AllowAsync(holder);

        var first = await ResponseAssert.JsonAsync(await DeliverAsync(holder, "予防接種のお知らせ", key: "k1"), HttpStatusCode.Accepted);
        var replay = await ResponseAssert.JsonAsync(await DeliverAsync(holder, "予防接種のお知らせ", key: "k1"), HttpStatusCode.Accepted);
        await ProblemAssert.ExactAsync(await DeliverAsync(holder, "別の件名", key: "k1"), HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        var messageId = first.GetProperty("messageId").GetString()!;
        Assert.Equal(messageId, replay.GetProperty("messageId").GetString());
        Assert.Equal("delivered", (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ClinicKey), HttpStatusCode.OK)).GetProperty("status").GetString());

        var message = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: holder), HttpStatusCode.OK);
        Assert.Equal("%PDF-1.7", System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(message.GetProperty("attachments")[0].GetProperty("content").GetString()!)));
        var delivery = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ClinicKey), HttpStatusCode.OK);
        Assert.Equal("viewed", delivery.GetProperty("status").GetString());
        Assert.True(delivery.TryGetProperty("viewedAt", out _));

        // Another holder and another sender see nothing of it.
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: await app.NewCitizenAsync()), HttpStatusCode.NotFound, "message_not_found");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ChiyodaKey), HttpStatusCode.NotFound, "message_not_found");

        Assert.Equal(HttpStatusCode.NoContent, (await app.SendAsync(HttpMethod.Delete, $"api/mailbox/messages/{messageId}", bearerFor: holder)).StatusCode);
        Assert.Equal("deleted", (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ClinicKey), HttpStatusCode.OK)).GetProperty("status").GetString());
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: holder), HttpStatusCode.NotFound, "message_not_found");
    }

    [Fact]
    public async Task An_important_document_needs_a_login_of_the_last_five_minutes()
    {
        var (holder, card) = await app.NewCardholderAsync(Parent);
        await AllowAsync(holder);
        var messageId = (await ResponseAssert.JsonAsync(await DeliverAsync(holder, "重要：契約書", requireFreshLogin: true), HttpStatusCode.Accepted)).GetProperty("messageId").GetString()!;

        app.Clock.Advance(TimeSpan.FromMinutes(6));
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: holder), HttpStatusCode.Unauthorized, "fresh_login_required");
        Assert.Equal("delivered", (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/deliveries/{messageId}", apiKey: ClinicKey), HttpStatusCode.OK)).GetProperty("status").GetString());

        var session = await new MyKeyApiClient(app.Http).LoginAsync(card);
        using var read = new HttpRequestMessage(HttpMethod.Get, $"api/mailbox/messages/{messageId}");
        read.Headers.TryAddWithoutValidation("Authorization", "Bearer " + session.GetProperty("accessToken").GetString());
        await ResponseAssert.JsonAsync(await app.Http.SendAsync(read), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Messages_are_listed_newest_first_in_pages()
    {
        var holder = await app.NewCitizenAsync();
        await AllowAsync(holder);
        foreach (var subject in new[] { "一", "二", "三" })
        {
            await ResponseAssert.JsonAsync(await DeliverAsync(holder, subject), HttpStatusCode.Accepted);
        }

        var first = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, "api/mailbox/messages?limit=2", bearerFor: holder), HttpStatusCode.OK);
        var token = Uri.EscapeDataString(first.GetProperty("continuationToken").GetString()!);
        var second = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages?limit=2&continuationToken={token}", bearerFor: holder), HttpStatusCode.OK);

        Assert.Equal(["三", "二"], first.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("subject").GetString()));
        Assert.Equal(["一"], second.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("subject").GetString()));
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/mailbox/messages?limit=0", bearerFor: holder), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_subject_is_not_kept_in_the_clear_in_the_mailbox_tables()
    {
        var holder = await app.NewCitizenAsync();
        await AllowAsync(holder);
        var subject = "子育　花子様 保育料のお知らせ " + Guid.NewGuid().ToString("N");
        var messageId = (await ResponseAssert.JsonAsync(await DeliverAsync(holder, subject), HttpStatusCode.Accepted)).GetProperty("messageId").GetString()!;

        var service = new TableServiceClient(await AzuriteServer.GetConnectionStringAsync());
        var rows = new[]
        {
            (await service.GetTableClient("MailboxMessages").GetEntityAsync<TableEntity>(holder, "msg|" + messageId)).Value,
            (await service.GetTableClient("MailboxDeliveries").GetEntityAsync<TableEntity>(messageId, "r")).Value,
        };
        var escaped = JsonSerializer.Serialize(subject).Trim('"');
        foreach (var row in rows)
        {
            Assert.True(row.ContainsKey("SubjectEnvelope"));
            foreach (var value in row.Select(p => p.Value).OfType<string>())
            {
                Assert.DoesNotContain("保育料", value, StringComparison.Ordinal);
                Assert.DoesNotContain(escaped[..20], value, StringComparison.Ordinal);
            }
        }

        // The holder and the list still see it.
        var listed = await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, "api/mailbox/messages?limit=1", bearerFor: holder), HttpStatusCode.OK);
        Assert.Equal(subject, listed.GetProperty("messages")[0].GetProperty("subject").GetString());
        Assert.Equal(subject, (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: holder), HttpStatusCode.OK)).GetProperty("subject").GetString());
    }

    [Fact]
    public async Task A_read_that_loses_the_race_with_a_delete_is_message_not_found()
    {
        var holder = await app.NewCitizenAsync();
        await AllowAsync(holder);
        var messageId = (await ResponseAssert.JsonAsync(await DeliverAsync(holder, "s"), HttpStatusCode.Accepted)).GetProperty("messageId").GetString()!;

        // The state a delete leaves between its two writes (content gone, row not yet): what a read racing it finds.
        var blobs = new BlobServiceClient(await AzuriteServer.GetConnectionStringAsync());
        Assert.True((await blobs.GetBlobContainerClient("mailbox-messages").DeleteBlobIfExistsAsync($"{holder}/{messageId}.json")).Value);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/mailbox/messages/{messageId}", bearerFor: holder), HttpStatusCode.NotFound, "message_not_found");
    }

    [Theory]
    [InlineData("../notice.pdf")]
    [InlineData("dir/notice.pdf")]
    [InlineData("dir\\notice.pdf")]
    [InlineData("notice\u0007.pdf")]
    [InlineData("..")]
    public async Task An_attachment_name_with_a_path_or_control_character_is_invalid_request(string name)
    {
        var response = await DeliverAttachmentsAsync(new { name, contentType = "application/pdf", content = "JVBERg==" });

        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task More_than_ten_attachments_is_invalid_request()
    {
        var response = await DeliverAttachmentsAsync(Enumerable.Range(0, 11).Select(i => new { name = $"{i}.pdf", contentType = "application/pdf", content = "JVBERg==" }).ToArray());

        await ProblemAssert.ExactAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Attachments_over_the_one_MiB_body_are_payload_too_large()
    {
        var response = await DeliverAttachmentsAsync(new { name = "big.pdf", contentType = "application/pdf", content = Convert.ToBase64String(new byte[900_000]) });

        await ProblemAssert.ExactAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    /// <summary>A delivery to a new holder who allowed the sender, with these attachments.</summary>
    private async Task<HttpResponseMessage> DeliverAttachmentsAsync(params object[] attachments)
    {
        var holder = await app.NewCitizenAsync();
        await AllowAsync(holder);
        return await app.SendAsync(HttpMethod.Post, "api/mailbox/deliveries", new { recipient = new { myKeyId = holder }, subject = "s", body = "本文", attachments }, apiKey: ClinicKey);
    }

    private async Task AllowAsync(string holder) =>
        Assert.Equal("allowed", (await ResponseAssert.JsonAsync(await app.SendAsync(HttpMethod.Put, "api/mailbox/senders/clinic", bearerFor: holder), HttpStatusCode.OK)).GetProperty("status").GetString());

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
