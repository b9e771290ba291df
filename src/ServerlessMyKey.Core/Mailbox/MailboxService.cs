using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Documents;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.MyKey;
using ServerlessMyKey.Core.Validation;

namespace ServerlessMyKey.Core.Mailbox;

/// <summary>
/// 電子私書箱 (MyPost): the holder chooses the senders; senders deliver; the holder reads, and the
/// first read is the 開封通知 told to the sender. Bodies and attachments are envelope-encrypted blobs;
/// the index (ids, sender, subject, states, times) is in Table Storage. Rules: docs/childcare.md.
/// </summary>
public sealed partial class MailboxService(IMailboxStore store, MailboxContents contents, MailboxOptions options, TimeProvider time, ILogger<MailboxService> logger)
{
    public const string SendRole = "mailbox.send";
    public const int MaxSubjectLength = 200;
    public const int MaxBodyLength = 200_000;
    public const int MaxAttachments = 10;
    public const int MaxAttachmentNameLength = 200;
    public const int MaxLimit = 100;
    public const int DefaultLimit = 20;

    /// <summary>The holder allows (<c>PUT</c>) or blocks (<c>DELETE</c>) a sender.</summary>
    public async Task<SenderView> SetSenderAsync(Citizen holder, string senderId, bool allowed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        RequestFields.RequireId(senderId, "senderId");
        var now = time.GetUtcNow();
        var status = allowed ? SenderStatus.Allowed : SenderStatus.Blocked;
        await store.SetSenderAsync(holder.MyKeyId, senderId, status, now, cancellationToken);
        logger.LogInformation("Mailbox {MyKeyId} set sender {SenderId} {Status}", holder.MyKeyId, senderId, status);
        return new SenderView(senderId, status, now);
    }

    public async Task<SenderList> ListSendersAsync(Citizen holder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new SenderList(await store.ListSendersAsync(holder.MyKeyId, cancellationToken));
    }

    /// <summary>
    /// A sender's delivery (<c>mailbox.send</c>). Refused with <c>recipient_not_accepting</c> unless the
    /// holder allowed the sender — the same answer whether or not the MyKey ID exists.
    /// </summary>
    public async Task<DeliveryAccepted> SendAsync(string senderId, DeliveryRequest request, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var recipient = request.Recipient?.MyKeyId is { } id && MyKeyIdFormat.IsValid(id)
            ? id
            : throw new ServiceException(ErrorCodes.InvalidRequest, "recipient.myKeyId must be a MyKey ID.");
        var subject = RequestFields.RequireText(request.Subject, "subject", MaxSubjectLength);
        var content = ValidContent(request.Body, request.Attachments);
        if (await store.SenderStatusAsync(recipient, senderId, cancellationToken) != SenderStatus.Allowed)
        {
            throw new ServiceException(ErrorCodes.RecipientNotAccepting);
        }

        var key = idempotencyKey is null ? null : IdempotentRequest.Create("mailbox.deliver", senderId, idempotencyKey, request);
        return await DeliverAsync(senderId, recipient, subject, content, request.RequireFreshLogin, key, cancellationToken);
    }

    /// <summary>
    /// A notice of a procedure the holder applied for: that municipality is allowed for it without the
    /// holder's opt-in (API.md). <paramref name="noticeKey"/> makes a retried delivery the same message.
    /// </summary>
    public Task<DeliveryAccepted> DeliverNoticeAsync(string senderId, string recipientMyKeyId, string subject, string body, string noticeKey, CancellationToken cancellationToken = default) =>
        DeliverAsync(senderId, recipientMyKeyId, subject, new MessageContent(body, []), requireFreshLogin: true, IdempotentRequest.Create("mailbox.notice", senderId, NoticeKeyText(noticeKey), noticeKey), cancellationToken);

    /// <summary>The sender's view of its delivery; <c>message_not_found</c> for anyone else.</summary>
    public async Task<DeliveryView> GetDeliveryAsync(string senderId, string messageId, CancellationToken cancellationToken = default)
    {
        var delivery = (IsMessageId(messageId) ? await store.FindDeliveryAsync(messageId, cancellationToken) : null) is { } found && found.SenderId == senderId
            ? found
            : throw new ServiceException(ErrorCodes.MessageNotFound);
        var status = delivery.Status == MessageStatus.Accepted ? MessageStatus.Delivered : delivery.Status;
        return new DeliveryView(delivery.MessageId, status, delivery.AcceptedAt, delivery.ViewedAt);
    }

    public async Task<MessagePage> ListMessagesAsync(Citizen holder, int? limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"limit must be 1–{MaxLimit}.");
        }

        if (continuationToken is { Length: > 512 })
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "continuationToken is not one this API returned.");
        }

        var (messages, next) = await store.ListMessagesAsync(holder.MyKeyId, size, continuationToken, cancellationToken);
        return new MessagePage(messages.Select(m => new MessageSummary(m.MessageId, m.SenderId, m.Subject, m.DeliveredAt, m.Status, m.RequireFreshLogin)).ToList(), next);
    }

    /// <summary>
    /// The holder reads a message. The first read marks it <c>viewed</c> (and the delivery, for the
    /// sender); <see cref="MessageRead.FirstRead"/> tells the caller to start the read receipt. A
    /// message that needs a fresh login is refused unless the token's login is recent.
    /// </summary>
    public async Task<MessageRead> ReadAsync(Citizen holder, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var message = await RequireMessageAsync(holder, messageId, cancellationToken);
        var now = time.GetUtcNow();
        if (message.RequireFreshLogin && (holder.AuthenticatedAt is not { } loggedIn || now - loggedIn > options.FreshLogin))
        {
            // 重要書類受取時の本人確認: the holder logs in with the card again.
            throw new ServiceException(ErrorCodes.FreshLoginRequired);
        }

        // A delete removes the content before the row: a read that found the row but not the content lost the race.
        var content = await contents.GetAsync(message.RecipientMyKeyId, message.MessageId, cancellationToken)
            ?? throw new ServiceException(ErrorCodes.MessageNotFound);
        var firstRead = false;
        while (message.Status == MessageStatus.Delivered)
        {
            var viewed = message with { Status = MessageStatus.Viewed, ViewedAt = now };
            if (await store.TryUpdateMessageAsync(viewed, cancellationToken))
            {
                message = viewed;
                firstRead = true;
                logger.LogInformation("Message {MessageId} viewed", message.MessageId);
                break;
            }

            message = await RequireMessageAsync(holder, messageId, cancellationToken);
        }

        await MarkDeliveryAsync(message.MessageId, MessageStatus.Viewed, message.ViewedAt, cancellationToken);
        return new MessageRead(
            new MessageView(message.MessageId, message.SenderId, message.Subject, content.Body, content.Attachments, message.DeliveredAt, message.ViewedAt),
            firstRead,
            message.SenderId);
    }

    /// <summary>The holder deletes a message: its row and content go; the sender sees <c>deleted</c>.</summary>
    public async Task DeleteAsync(Citizen holder, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var message = await RequireMessageAsync(holder, messageId, cancellationToken);
        await MarkDeliveryAsync(message.MessageId, MessageStatus.Deleted, message.ViewedAt, cancellationToken);
        await contents.DeleteAsync(message.RecipientMyKeyId, message.MessageId, cancellationToken);
        await store.DeleteMessageAsync(holder.MyKeyId, message.MessageId, cancellationToken);
        logger.LogInformation("Message {MessageId} deleted by its holder", message.MessageId);
    }

    /// <summary>Whether the delivery was viewed (the read receipt's activity checks before telling).</summary>
    public Task<DeliveryRecord?> FindDeliveryAsync(string messageId, CancellationToken cancellationToken = default) => store.FindDeliveryAsync(messageId, cancellationToken);

    private async Task<DeliveryAccepted> DeliverAsync(string senderId, string recipient, string subject, MessageContent content, bool requireFreshLogin, IdempotentRequest? key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var messageId = NewMessageId(now);
        if (key is not null && await store.ClaimDeliveryKeyAsync(key.KeyHash, key.RequestHash, messageId, cancellationToken) is { } claim)
        {
            if (!string.Equals(claim.RequestHash, key.RequestHash, StringComparison.Ordinal))
            {
                throw new ServiceException(ErrorCodes.IdempotencyKeyReused);
            }

            messageId = claim.MessageId;
        }

        // ACCEPTED first, then the content and the holder's row, then DELIVERED: a retry resumes where a failure stopped.
        var delivery = new DeliveryRecord(messageId, senderId, recipient, MessageStatus.Accepted, now, subject, requireFreshLogin);
        if (!await store.TryCreateDeliveryAsync(delivery, cancellationToken))
        {
            delivery = await store.FindDeliveryAsync(messageId, cancellationToken) ?? throw new ServiceException(ErrorCodes.Conflict);
        }

        if (delivery.Status == MessageStatus.Accepted)
        {
            await contents.PutAsync(recipient, messageId, content, cancellationToken);
            await store.UpsertMessageAsync(new MessageRecord(messageId, recipient, senderId, delivery.Subject, delivery.AcceptedAt, MessageStatus.Delivered, delivery.RequireFreshLogin), cancellationToken);
            await MarkDeliveryAsync(messageId, MessageStatus.Delivered, null, cancellationToken);
            logger.LogInformation("Message {MessageId} from {SenderId} delivered to {MyKeyId}", messageId, senderId, recipient);
        }

        // The first answer of a delivery is always "delivered".
        return new DeliveryAccepted(messageId, MessageStatus.Delivered);
    }

    private async Task MarkDeliveryAsync(string messageId, string status, DateTimeOffset? viewedAt, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var delivery = await store.FindDeliveryAsync(messageId, cancellationToken);
            if (delivery is null || delivery.Status == status || Rank(delivery.Status) > Rank(status))
            {
                return;
            }

            if (await store.TryUpdateDeliveryAsync(delivery with { Status = status, ViewedAt = viewedAt ?? delivery.ViewedAt }, cancellationToken))
            {
                return;
            }
        }

        throw new ServiceException(ErrorCodes.Conflict);
    }

    private static int Rank(string status) => status switch
    {
        MessageStatus.Accepted => 0,
        MessageStatus.Delivered => 1,
        MessageStatus.Viewed => 2,
        _ => 3,
    };

    private async Task<MessageRecord> RequireMessageAsync(Citizen holder, string messageId, CancellationToken cancellationToken) =>
        (IsMessageId(messageId) ? await store.FindMessageAsync(holder.MyKeyId, messageId, cancellationToken) : null)
        ?? throw new ServiceException(ErrorCodes.MessageNotFound);

    private static MessageContent ValidContent(string? body, IReadOnlyList<MailboxAttachment>? attachments)
    {
        if (body is null || body.Length > MaxBodyLength || body.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"body must be 0–{MaxBodyLength} characters without control characters other than line breaks and tabs.");
        }

        if (attachments is { Count: > MaxAttachments })
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"At most {MaxAttachments} attachments.");
        }

        var checkedAttachments = new List<MailboxAttachment>();
        foreach (var attachment in attachments ?? [])
        {
            var name = RequestFields.RequireText(attachment?.Name, "attachments[].name", MaxAttachmentNameLength);
            if (name.IndexOfAny(['/', '\\']) >= 0 || name.Trim() is "." or "..")
            {
                throw new ServiceException(ErrorCodes.InvalidRequest, "attachments[].name must be a file name, without path separators.");
            }

            var contentType = attachment!.ContentType is { } type && MediaType().IsMatch(type)
                ? type
                : throw new ServiceException(ErrorCodes.InvalidRequest, "attachments[].contentType must be a media type such as application/pdf.");
            var bytes = Base64Input.Decode(attachment.Content, "attachments[].content");
            checkedAttachments.Add(new MailboxAttachment(name, contentType, Convert.ToBase64String(bytes)));
        }

        return new MessageContent(body, checkedAttachments);
    }

    /// <summary>A message id: 16 hex digits of inverted ticks (newest first in the holder's partition) and 16 random.</summary>
    private static string NewMessageId(DateTimeOffset now) =>
        (long.MaxValue - now.UtcTicks).ToString("x16", CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static string NoticeKeyText(string noticeKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(noticeKey)));

    public static bool IsMessageId(string? value) => value is not null && MessageIdPattern().IsMatch(value);

    [GeneratedRegex(@"\A[0-9a-f]{32}\z")]
    private static partial Regex MessageIdPattern();

    [GeneratedRegex(@"\A[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,63}/[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,63}\z")]
    private static partial Regex MediaType();
}

/// <summary>A read: the message, whether this read was the first (start the read receipt), and its sender.</summary>
public sealed record MessageRead(MessageView Message, bool FirstRead, string SenderId);

/// <summary>Message bodies and attachments, envelope-encrypted, as blobs <c>&lt;myKeyId&gt;/&lt;messageId&gt;.json</c>.</summary>
public sealed class MailboxContents(EncryptedDocuments documents, IDocumentBlobs blobs)
{
    public Task PutAsync(string myKeyId, string messageId, MessageContent content, CancellationToken cancellationToken = default) =>
        documents.PutAsync(Name(myKeyId, messageId), content, cancellationToken);

    public Task<MessageContent?> GetAsync(string myKeyId, string messageId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<MessageContent>(Name(myKeyId, messageId), cancellationToken);

    public Task DeleteAsync(string myKeyId, string messageId, CancellationToken cancellationToken = default) =>
        blobs.DeleteAsync(Name(myKeyId, messageId), cancellationToken);

    private static string Name(string myKeyId, string messageId) => $"{myKeyId}/{messageId}.json";
}
