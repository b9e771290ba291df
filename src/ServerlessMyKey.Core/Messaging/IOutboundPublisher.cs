namespace ServerlessMyKey.Core.Messaging;

/// <summary>
/// Sends integration messages to other systems (delegation recipients, agencies). In Azure the
/// transport is a Service Bus topic; locally a Storage queue of the same name.
/// Publishing is at-least-once: <see cref="OutboundMessage.MessageId"/> lets receivers (and
/// Service Bus duplicate detection) drop repeats.
/// </summary>
public interface IOutboundPublisher
{
    Task PublishAsync(string destination, OutboundMessage message, CancellationToken cancellationToken = default);
}

/// <summary>A message to publish: an idempotent id, a subject (message type) and a UTF-8 JSON body.</summary>
public sealed record OutboundMessage(string MessageId, string Subject, ReadOnlyMemory<byte> Body)
{
    public string ContentType { get; init; } = "application/json";

    public string? CorrelationId { get; init; }
}
