namespace ServerlessMyKey.Core.Mailbox;

/// <summary><c>POST /api/mailbox/deliveries</c>.</summary>
public sealed record DeliveryRequest(MailboxRecipient? Recipient, string? Subject, string? Body, IReadOnlyList<MailboxAttachment>? Attachments, bool RequireFreshLogin = false);

public sealed record MailboxRecipient(string? MyKeyId);

/// <summary>An attachment: a file name, its media type and its bytes in base64.</summary>
public sealed record MailboxAttachment(string? Name, string? ContentType, string? Content);

/// <summary>202 answer of a delivery.</summary>
public sealed record DeliveryAccepted(string MessageId, string Status);

/// <summary><c>GET /api/mailbox/deliveries/{messageId}</c> (the sender).</summary>
public sealed record DeliveryView(string MessageId, string Status, DateTimeOffset DeliveredAt, DateTimeOffset? ViewedAt);

/// <summary>One entry of the holder's list.</summary>
public sealed record MessageSummary(string MessageId, string SenderId, string Subject, DateTimeOffset DeliveredAt, string Status, bool RequireFreshLogin);

public sealed record MessagePage(IReadOnlyList<MessageSummary> Messages, string? ContinuationToken);

/// <summary><c>GET /api/mailbox/messages/{messageId}</c> (the holder).</summary>
public sealed record MessageView(
    string MessageId,
    string SenderId,
    string Subject,
    string Body,
    IReadOnlyList<MailboxAttachment> Attachments,
    DateTimeOffset DeliveredAt,
    DateTimeOffset? ViewedAt);

/// <summary>A sender as the holder set it: <c>allowed</c> or <c>blocked</c>.</summary>
public sealed record SenderView(string SenderId, string Status, DateTimeOffset UpdatedAt);

public sealed record SenderList(IReadOnlyList<SenderView> Senders);

/// <summary>The body and attachments of a message, as kept (envelope-encrypted) in Blob Storage.</summary>
public sealed record MessageContent(string Body, IReadOnlyList<MailboxAttachment> Attachments);

/// <summary>A message as indexed in the holder's partition.</summary>
public sealed record MessageRecord(
    string MessageId,
    string RecipientMyKeyId,
    string SenderId,
    string Subject,
    DateTimeOffset DeliveredAt,
    string Status,
    bool RequireFreshLogin,
    DateTimeOffset? ViewedAt = null,
    string? ETag = null);

/// <summary>The sender's view of a delivery (partition = message id): SEND's ACCEPTED → DELIVERED → VIEWED, or DELETED.</summary>
public sealed record DeliveryRecord(
    string MessageId,
    string SenderId,
    string RecipientMyKeyId,
    string Status,
    DateTimeOffset AcceptedAt,
    string Subject,
    bool RequireFreshLogin,
    DateTimeOffset? ViewedAt = null,
    string? ETag = null);

public static class MessageStatus
{
    public const string Accepted = "accepted";
    public const string Delivered = "delivered";
    public const string Viewed = "viewed";
    public const string Deleted = "deleted";
}

public static class SenderStatus
{
    public const string Allowed = "allowed";
    public const string Blocked = "blocked";
}

/// <summary>Persistence of the mailbox: senders and messages per MyKey ID, deliveries per message id.</summary>
public interface IMailboxStore
{
    Task SetSenderAsync(string myKeyId, string senderId, string status, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SenderView>> ListSendersAsync(string myKeyId, CancellationToken cancellationToken = default);

    Task<string?> SenderStatusAsync(string myKeyId, string senderId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims a sender's idempotency key for a message id: null when claimed now, else the request hash
    /// and message id of the first claim.
    /// </summary>
    Task<(string RequestHash, string MessageId)?> ClaimDeliveryKeyAsync(string keyHash, string requestHash, string messageId, CancellationToken cancellationToken = default);

    /// <summary>Inserts the delivery; false when one with this message id exists.</summary>
    Task<bool> TryCreateDeliveryAsync(DeliveryRecord delivery, CancellationToken cancellationToken = default);

    Task<DeliveryRecord?> FindDeliveryAsync(string messageId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the delivery under its ETag; false when it changed meanwhile.</summary>
    Task<bool> TryUpdateDeliveryAsync(DeliveryRecord delivery, CancellationToken cancellationToken = default);

    /// <summary>Writes (or rewrites) the message row of the holder.</summary>
    Task UpsertMessageAsync(MessageRecord message, CancellationToken cancellationToken = default);

    Task<MessageRecord?> FindMessageAsync(string myKeyId, string messageId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the message under its ETag; false when it changed meanwhile.</summary>
    Task<bool> TryUpdateMessageAsync(MessageRecord message, CancellationToken cancellationToken = default);

    Task DeleteMessageAsync(string myKeyId, string messageId, CancellationToken cancellationToken = default);

    /// <summary>Newest first.</summary>
    Task<(IReadOnlyList<MessageRecord> Messages, string? ContinuationToken)> ListMessagesAsync(string myKeyId, int limit, string? continuationToken, CancellationToken cancellationToken = default);
}

/// <summary><c>Mailbox:*</c>.</summary>
public sealed record MailboxOptions(TimeSpan FreshLogin)
{
    public static MailboxOptions Default { get; } = new(TimeSpan.FromMinutes(5));
}
