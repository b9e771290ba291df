using System.Text.Json;
using ServerlessMyKey.Core.Messaging;

namespace ServerlessMyKey.Azure.Messaging;

/// <summary>
/// What <see cref="StorageQueuePublisher"/> puts on a queue: the whole <see cref="OutboundMessage"/>,
/// since a queue message has no properties of its own. JSON
/// <c>{"messageId","subject","contentType","correlationId","body"}</c>, body base64.
/// </summary>
public sealed record StorageQueueEnvelope(string MessageId, string Subject, string ContentType, string? CorrelationId, byte[] Body)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static StorageQueueEnvelope From(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message.MessageId, message.Subject, message.ContentType, message.CorrelationId, message.Body.ToArray());
    }

    public static StorageQueueEnvelope Parse(BinaryData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return JsonSerializer.Deserialize<StorageQueueEnvelope>(data.ToMemory().Span, Json)
            ?? throw new JsonException("The queue message is not an outbound message envelope.");
    }

    public BinaryData ToBinaryData() => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(this, Json));

    public OutboundMessage ToMessage() =>
        new(MessageId, Subject, Body) { ContentType = ContentType, CorrelationId = CorrelationId };
}
