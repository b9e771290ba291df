using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Messaging;

namespace ServerlessMyKey.Azure.Messaging;

/// <summary>
/// The local transport for outbound messages: a Storage queue named after the destination
/// (see <see cref="QueueName"/>), created on first use, each message a <see cref="StorageQueueEnvelope"/>.
/// Pass a <see cref="QueueServiceClient"/> with base64 message encoding (as
/// <c>StorageConnection.CreateQueueServiceClient</c> makes it) so queue-triggered readers see the JSON.
/// </summary>
public sealed class StorageQueuePublisher : IOutboundPublisher
{
    private const int MinLength = 3;
    private const int MaxLength = 63;

    private readonly QueueServiceClient _queues;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Task<QueueClient>> _created = new(StringComparer.Ordinal);

    public StorageQueuePublisher(QueueServiceClient queues, ILogger<StorageQueuePublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(queues);
        _queues = queues;
        _logger = logger ?? NullLogger<StorageQueuePublisher>.Instance;
    }

    /// <summary>
    /// The queue for a destination, following the queue naming rules: lowercase letters, digits and
    /// single hyphens, starting and ending with a letter or digit, 3-63 characters. Other characters
    /// become hyphens; a name that is then too short or too long gets a hash of the destination
    /// appended (after truncation), so distinct long destinations keep distinct queues.
    /// </summary>
    public static string QueueName(string destination)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var builder = new StringBuilder(destination.Length);
        foreach (var c in destination.ToLowerInvariant())
        {
            var valid = c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            if (valid)
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var name = builder.ToString().TrimEnd('-');
        if (name.Length is >= MinLength and <= MaxLength)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(destination)))[..8];
        var stem = name.Length > MaxLength - hash.Length - 1 ? name[..(MaxLength - hash.Length - 1)].TrimEnd('-') : name;
        return stem.Length == 0 ? $"q-{hash}" : $"{stem}-{hash}";
    }

    public async Task PublishAsync(string destination, OutboundMessage message, CancellationToken cancellationToken = default)
    {
        OutboundMessages.Validate(message);
        var queueName = QueueName(destination);
        var envelope = StorageQueueEnvelope.From(message).ToBinaryData();
        try
        {
            var queue = await GetQueueAsync(queueName).WaitAsync(cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(envelope, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 0 or >= 500)
        {
            _logger.LogWarning(ex, "Publishing message {MessageId} to queue {QueueName} failed with status {Status}", message.MessageId, queueName, ex.Status);
            throw new ServiceException(ErrorCodes.StorageUnavailable, "Storage did not answer.", ex);
        }

        _logger.LogDebug("Published message {MessageId} ({Subject}) to queue {QueueName}", message.MessageId, message.Subject, queueName);
    }

    /// <summary>Creates each queue once per process; a failed creation is forgotten so the next publish retries it.</summary>
    private Task<QueueClient> GetQueueAsync(string queueName)
    {
        var task = _created.GetOrAdd(queueName, CreateAsync);
        if (task.IsFaulted || task.IsCanceled)
        {
            _created.TryRemove(new KeyValuePair<string, Task<QueueClient>>(queueName, task));
            task = _created.GetOrAdd(queueName, CreateAsync);
        }

        return task;
    }

    private async Task<QueueClient> CreateAsync(string queueName)
    {
        var queue = _queues.GetQueueClient(queueName);
        await queue.CreateIfNotExistsAsync().ConfigureAwait(false);
        return queue;
    }
}
