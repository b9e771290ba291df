using Azure.Storage.Queues;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Azure.Operations;

/// <summary>
/// The account's <c>-poison</c> queues (the Functions host and the DevHost move a message there after
/// host.json's maxDequeueCount failed deliveries) with their approximate message counts.
/// </summary>
internal sealed class StoragePoisonQueues(QueueServiceClient queues) : IPoisonQueues
{
    private const string Suffix = "-poison";
    private const int MaxQueues = 200;

    public async Task<IReadOnlyList<PoisonQueueCount>> CountAsync(CancellationToken cancellationToken = default)
    {
        var counts = new List<PoisonQueueCount>();
        await foreach (var queue in queues.GetQueuesAsync(cancellationToken: cancellationToken))
        {
            if (!queue.Name.EndsWith(Suffix, StringComparison.Ordinal))
            {
                continue;
            }

            var properties = await queues.GetQueueClient(queue.Name).GetPropertiesAsync(cancellationToken);
            counts.Add(new PoisonQueueCount(queue.Name, properties.Value.ApproximateMessagesCount));
            if (counts.Count == MaxQueues)
            {
                break;
            }
        }

        return counts;
    }
}
