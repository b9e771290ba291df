using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Mailbox;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Azure.Mailbox;

/// <summary>
/// The mailbox in Table Storage: <c>MailboxMessages</c> (partition = MyKey ID; rows <c>msg|&lt;messageId&gt;</c>,
/// newest first because a message id starts with inverted ticks, and <c>sender|&lt;senderId&gt;</c>),
/// <c>MailboxDeliveries</c> (partition = message id, and <c>key|&lt;hash&gt;</c> idempotency claims).
/// A subject may hold personal data: it is kept envelope-encrypted in the column <c>SubjectEnvelope</c>
/// (associated data = the message id), never in the clear.
/// </summary>
internal sealed class TableMailboxStore(LazyTable messages, LazyTable deliveries, EnvelopeEncryption envelopes) : IMailboxStore
{
    private const string SubjectColumn = "SubjectEnvelope";

    private const string MessagePrefix = "msg|";
    private const string SenderPrefix = "sender|";
    private const string Row = "r";

    public async Task SetSenderAsync(string myKeyId, string senderId, string status, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        await (await messages.GetAsync(cancellationToken)).UpsertEntityAsync(
            JsonRows.Entity(myKeyId, SenderPrefix + senderId, new SenderView(senderId, status, at)), TableUpdateMode.Replace, cancellationToken);

    public async Task<IReadOnlyList<SenderView>> ListSendersAsync(string myKeyId, CancellationToken cancellationToken = default)
    {
        var table = await messages.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {myKeyId} and RowKey ge {SenderPrefix} and RowKey lt {"sender}"}");
        var list = new List<SenderView>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            list.Add(JsonRows.Read<SenderView>(entity));
            if (list.Count >= 1000)
            {
                break;
            }
        }

        return list;
    }

    public async Task<string?> SenderStatusAsync(string myKeyId, string senderId, CancellationToken cancellationToken = default)
    {
        var entity = await TableRows.FindAsync(await messages.GetAsync(cancellationToken), myKeyId, SenderPrefix + senderId, cancellationToken);
        return entity is null ? null : JsonRows.Read<SenderView>(entity).Status;
    }

    public async Task<(string RequestHash, string MessageId)?> ClaimDeliveryKeyAsync(string keyHash, string requestHash, string messageId, CancellationToken cancellationToken = default)
    {
        var table = await deliveries.GetAsync(cancellationToken);
        var entity = new TableEntity("key|" + keyHash, Row) { ["RequestHash"] = requestHash, ["MessageId"] = messageId };
        if (await TableRows.TryAddAsync(table, entity, cancellationToken))
        {
            return null;
        }

        var existing = await TableRows.FindAsync(table, entity.PartitionKey, Row, cancellationToken) ?? throw new ServiceException(ErrorCodes.Conflict);
        return (existing.GetString("RequestHash") ?? string.Empty, existing.GetString("MessageId") ?? string.Empty);
    }

    public async Task<bool> TryCreateDeliveryAsync(DeliveryRecord delivery, CancellationToken cancellationToken = default) =>
        await TableRows.TryAddAsync(await deliveries.GetAsync(cancellationToken), await DeliveryEntityAsync(delivery with { ETag = null }, cancellationToken), cancellationToken);

    public async Task<DeliveryRecord?> FindDeliveryAsync(string messageId, CancellationToken cancellationToken = default)
    {
        var entity = await TableRows.FindAsync(await deliveries.GetAsync(cancellationToken), messageId, Row, cancellationToken);
        if (entity is null)
        {
            return null;
        }

        var delivery = JsonRows.Read<DeliveryRecord>(entity);
        return delivery with { Subject = await SubjectAsync(entity, messageId, delivery.Subject, cancellationToken), ETag = entity.ETag.ToString() };
    }

    public async Task<bool> TryUpdateDeliveryAsync(DeliveryRecord delivery, CancellationToken cancellationToken = default) =>
        await TableRows.TryReplaceAsync(await deliveries.GetAsync(cancellationToken), await DeliveryEntityAsync(delivery, cancellationToken), cancellationToken);

    public async Task UpsertMessageAsync(MessageRecord message, CancellationToken cancellationToken = default) =>
        await (await messages.GetAsync(cancellationToken)).UpsertEntityAsync(await MessageEntityAsync(message with { ETag = null }, cancellationToken), TableUpdateMode.Replace, cancellationToken);

    public async Task<MessageRecord?> FindMessageAsync(string myKeyId, string messageId, CancellationToken cancellationToken = default)
    {
        var entity = await TableRows.FindAsync(await messages.GetAsync(cancellationToken), myKeyId, MessagePrefix + messageId, cancellationToken);
        return entity is null ? null : await ReadMessageAsync(entity, cancellationToken);
    }

    public async Task<bool> TryUpdateMessageAsync(MessageRecord message, CancellationToken cancellationToken = default) =>
        await TableRows.TryReplaceAsync(await messages.GetAsync(cancellationToken), await MessageEntityAsync(message, cancellationToken), cancellationToken);

    public async Task DeleteMessageAsync(string myKeyId, string messageId, CancellationToken cancellationToken = default) =>
        await (await messages.GetAsync(cancellationToken)).DeleteEntityAsync(myKeyId, MessagePrefix + messageId, ETag.All, cancellationToken);

    public async Task<(IReadOnlyList<MessageRecord> Messages, string? ContinuationToken)> ListMessagesAsync(string myKeyId, int limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var table = await messages.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {myKeyId} and RowKey ge {MessagePrefix} and RowKey lt {"msg}"}");
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, limit, cancellationToken: cancellationToken).AsPages(continuationToken, limit))
            {
                return (await Task.WhenAll(page.Values.Select(e => ReadMessageAsync(e, cancellationToken))), page.ContinuationToken);
            }
        }
        catch (RequestFailedException e) when (e.Status == 400)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "continuationToken is not one this API returned.");
        }

        return ([], null);
    }

    private async Task<TableEntity> MessageEntityAsync(MessageRecord message, CancellationToken cancellationToken)
    {
        var entity = JsonRows.Entity(message.RecipientMyKeyId, MessagePrefix + message.MessageId, message with { Subject = string.Empty, ETag = null }, message.ETag);
        entity[SubjectColumn] = await SealAsync(message.Subject, message.MessageId, cancellationToken);
        return entity;
    }

    private async Task<TableEntity> DeliveryEntityAsync(DeliveryRecord delivery, CancellationToken cancellationToken)
    {
        var entity = JsonRows.Entity(delivery.MessageId, Row, delivery with { Subject = string.Empty, ETag = null }, delivery.ETag);
        entity[SubjectColumn] = await SealAsync(delivery.Subject, delivery.MessageId, cancellationToken);
        return entity;
    }

    private async Task<MessageRecord> ReadMessageAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        var message = JsonRows.Read<MessageRecord>(entity);
        return message with { Subject = await SubjectAsync(entity, message.MessageId, message.Subject, cancellationToken), ETag = entity.ETag.ToString() };
    }

    private async Task<string> SealAsync(string subject, string messageId, CancellationToken cancellationToken) =>
        JsonSerializer.Serialize(await envelopes.EncryptAsync(Encoding.UTF8.GetBytes(subject), SubjectData(messageId), cancellationToken));

    /// <summary>The sealed subject, opened; a row written before subjects were sealed keeps its subject in the record (<paramref name="legacy"/>).</summary>
    private async Task<string> SubjectAsync(TableEntity entity, string messageId, string legacy, CancellationToken cancellationToken) =>
        entity.GetString(SubjectColumn) is { } sealedSubject
            ? Encoding.UTF8.GetString(await envelopes.DecryptAsync(JsonSerializer.Deserialize<EncryptedEnvelope>(sealedSubject)!, SubjectData(messageId), cancellationToken))
            : legacy;

    /// <summary>The associated data of a subject: bound to its message, so a sealed subject moved to another row does not open.</summary>
    private static byte[] SubjectData(string messageId) => Encoding.UTF8.GetBytes("mailbox-subject/" + messageId);
}
