using System.Text.Json;
using Azure.Storage.Queues;
using ServerlessMyKey.Core.Certificates.StatusJobs;
using ServerlessMyKey.Core.Idempotency;

using ServerlessMyKey.Azure.Storage;

namespace ServerlessMyKey.Azure.Certificates;

/// <summary>
/// Chunks of status jobs on the Storage queue named by <see cref="QueueSetting"/>, one message per
/// part. The app's queue clients encode messages in base64, as the queue trigger expects (host.json <c>messageEncoding</c>).
/// </summary>
public sealed class StorageQueueStatusJobQueue(QueueServiceClient queues, string queueName) : IStatusJobQueue
{
    /// <summary>The setting that names the queue; the trigger reads it as <c>%Certificates:StatusJobQueue%</c>.</summary>
    public const string QueueSetting = "Certificates:StatusJobQueue";

    public const string DefaultQueueName = "certificate-status-chunks";
    private const int Parallelism = 16;

    private readonly CreatedOnFirstUse<QueueClient> _queue = StorageResources.Queue(queues, queueName);

    public async Task EnqueueAsync(IReadOnlyList<StatusJobChunk> chunks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var queue = await _queue.GetAsync(cancellationToken);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
            await queue.SendMessageAsync(BinaryData.FromBytes(ApiJsonOptions.Serialize(chunk)), cancellationToken: ct));
    }

    /// <summary>Reads a message's (already decoded) text; a message that is not a chunk is a <see cref="FormatException"/> (poison at once).</summary>
    public static StatusJobChunk Parse(string message)
    {
        try
        {
            return JsonSerializer.Deserialize<StatusJobChunk>(message, ApiJsonOptions.Options) is { JobId.Length: > 0, Part: > 0 } chunk
                ? chunk
                : throw new FormatException("The message is not a status-job chunk.");
        }
        catch (JsonException e)
        {
            throw new FormatException("The message is not a status-job chunk.", e);
        }
    }
}
