using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using ServerlessMyKey.Azure.Storage;
using ServerlessMyKey.Core.Certificates.Watches;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Azure.Certificates;

/// <summary>
/// The re-check's work items on a Storage queue (<c>Certificates:WatchQueue</c>), JSON, through a
/// <see cref="QueueServiceClient"/> with base64 message encoding as the queue trigger reads it.
/// </summary>
public sealed class StorageCertificateWatchQueue(QueueServiceClient queues, string queueName) : ICertificateWatchQueue
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly CreatedOnFirstUse<QueueClient> _queue = StorageResources.Queue(queues, queueName);

    public string Name => queueName;

    public async Task EnqueueAsync(WatchWorkItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        try
        {
            var queue = await _queue.GetAsync(cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(Serialize(item), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 0 or >= 500)
        {
            throw new ServiceException(ErrorCodes.StorageUnavailable, "Storage did not answer.", ex);
        }
    }

    public static BinaryData Serialize(WatchWorkItem item) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(item, Json));

    /// <summary>Reads a queued item; <see cref="FormatException"/> when it is not one (the host then moves it to the poison queue).</summary>
    public static WatchWorkItem Parse(string message)
    {
        try
        {
            return JsonSerializer.Deserialize<WatchWorkItem>(message, Json) is { ClientId: { Length: > 0 } } item
                ? item
                : throw new FormatException("Not a certificate watch work item.");
        }
        catch (JsonException ex)
        {
            throw new FormatException("Not a certificate watch work item.", ex);
        }
    }
}
