using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace ServerlessMyKey.Azure.Storage;

/// <summary>Blob containers and queues created on first use (see <see cref="CreatedOnFirstUse{T}"/>).</summary>
internal static class StorageResources
{
    public static CreatedOnFirstUse<BlobContainerClient> Container(BlobServiceClient blobs, string name) => new(async cancellationToken =>
    {
        var container = blobs.GetBlobContainerClient(name);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return container;
    });

    public static CreatedOnFirstUse<QueueClient> Queue(QueueServiceClient queues, string name) => new(async cancellationToken =>
    {
        var queue = queues.GetQueueClient(name);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return queue;
    });
}
