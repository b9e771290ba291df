using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Messaging;

namespace ServerlessMyKey.Azure.Messaging;

/// <summary>
/// Publishes to Service Bus topics, one cached sender per topic. The message id is the
/// <see cref="OutboundMessage.MessageId"/>, so a topic with duplicate detection drops the repeats
/// that at-least-once publishing produces.
/// </summary>
public sealed class ServiceBusPublisher : IOutboundPublisher, IAsyncDisposable, IDisposable
{
    private readonly ServiceBusClient _client;
    private readonly bool _ownsClient;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<ServiceBusSender>> _senders = new(StringComparer.Ordinal);
    private int _disposed;

    /// <param name="client">The namespace client.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="ownsClient">Whether disposing the publisher disposes <paramref name="client"/>.</param>
    public ServiceBusPublisher(ServiceBusClient client, ILogger<ServiceBusPublisher>? logger = null, bool ownsClient = true)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        _logger = logger ?? NullLogger<ServiceBusPublisher>.Instance;
    }

    public async Task PublishAsync(string destination, OutboundMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        OutboundMessages.Validate(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var sender = _senders.GetOrAdd(destination, topic => new Lazy<ServiceBusSender>(() => _client.CreateSender(topic))).Value;
        var busMessage = new ServiceBusMessage(message.Body)
        {
            MessageId = message.MessageId,
            Subject = message.Subject,
            ContentType = message.ContentType,
            CorrelationId = message.CorrelationId,
        };

        try
        {
            await sender.SendMessageAsync(busMessage, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.MessagingEntityNotFound)
        {
            throw new InvalidOperationException($"The Service Bus topic '{destination}' does not exist in namespace '{_client.FullyQualifiedNamespace}'.", ex);
        }
        catch (ServiceBusException ex) when (ex.IsTransient || ex.Reason is ServiceBusFailureReason.ServiceTimeout or ServiceBusFailureReason.ServiceBusy or ServiceBusFailureReason.ServiceCommunicationProblem)
        {
            _logger.LogWarning(ex, "Publishing message {MessageId} to topic {Destination} failed: {Reason}", message.MessageId, destination, ex.Reason);
            throw new ServiceException(ErrorCodes.DependencyUnavailable, "Service Bus did not answer.", ex);
        }

        _logger.LogDebug("Published message {MessageId} ({Subject}) to topic {Destination}", message.MessageId, message.Subject, destination);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var sender in _senders.Values.Where(s => s.IsValueCreated))
        {
            await sender.Value.DisposeAsync().ConfigureAwait(false);
        }

        _senders.Clear();
        if (_ownsClient)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
