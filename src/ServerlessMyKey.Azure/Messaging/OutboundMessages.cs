using ServerlessMyKey.Core.Messaging;

namespace ServerlessMyKey.Azure.Messaging;

internal static class OutboundMessages
{
    /// <summary>Argument checks shared by the transports, so both reject the same messages.</summary>
    public static void Validate(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(message.MessageId) || message.MessageId.Length > 128)
        {
            // Service Bus caps message ids at 128 characters.
            throw new ArgumentException("The message id must be 1-128 characters.", nameof(message));
        }

        if (string.IsNullOrWhiteSpace(message.Subject))
        {
            throw new ArgumentException("The message subject is required.", nameof(message));
        }
    }
}
