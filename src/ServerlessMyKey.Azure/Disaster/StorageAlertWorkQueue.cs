using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using ServerlessMyKey.Azure.Storage;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// The fan-out's work items on the Storage queue <c>Disaster:DeliveryQueue</c> (JSON, base64 as the
/// queue trigger reads it); a retry is queued with a visibility delay (the back-off). Undecodable messages
/// go to <c>&lt;queue&gt;-poison</c> at once.
/// </summary>
public sealed class StorageAlertWorkQueue(QueueServiceClient queues, string queueName) : IAlertWorkQueue
{
    public const string QueueSetting = "Disaster:DeliveryQueue";
    public const string DefaultQueueName = "disaster-deliveries";
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(6);
    private readonly CreatedOnFirstUse<QueueClient> _queue = StorageResources.Queue(queues, queueName);

    public async Task EnqueueAsync(AlertWorkItem item, TimeSpan delay = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        try
        {
            var queue = await _queue.GetAsync(cancellationToken);
            await queue.SendMessageAsync(BinaryData.FromBytes(ApiJsonOptions.Serialize(item)), delay <= TimeSpan.Zero ? null : delay > MaxDelay ? MaxDelay : delay, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 0 or >= 500)
        {
            throw new ServiceException(ErrorCodes.StorageUnavailable, "Storage did not answer.", ex);
        }
    }

    /// <summary>Reads a queued item; <see cref="FormatException"/> when it is not one.</summary>
    public static AlertWorkItem Parse(string message)
    {
        try
        {
            // TV ids come with their platform (TvKey): an item with TV ids and no platform, or a bad id, is not one.
            return JsonSerializer.Deserialize<AlertWorkItem>(message, ApiJsonOptions.Options) is { AlertId.Length: > 0, Kind.Length: > 0 } item
                && (item.TvIds is null || (item.TvIds.Count <= 1000 && item.PlatformId is not null && item.Tvs().Count == item.TvIds.Count))
                ? item
                : throw new FormatException("Not a disaster delivery work item.");
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new FormatException("Not a disaster delivery work item.", ex);
        }
    }
}
