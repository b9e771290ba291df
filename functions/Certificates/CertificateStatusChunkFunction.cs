using Microsoft.Azure.Functions.Worker;
using ServerlessMyKey.Azure.Certificates;
using ServerlessMyKey.Core.Certificates.StatusJobs;

namespace ServerlessMyKey.Functions.Certificates;

/// <summary>
/// Checks one part of a status job from the queue <c>Certificates:StatusJobQueue</c> names. Idempotent per
/// chunk; a failure is retried by the queue (host.json <c>maxDequeueCount</c>) and then goes to the poison queue.
/// </summary>
public sealed class CertificateStatusChunkFunction(StatusJobService jobs)
{
    /// <summary>host.json <c>extensions.queues.maxDequeueCount</c>: the last delivery records what it finds.</summary>
    public const long MaxDequeueCount = 5;

    [Function("CheckCertificateStatusChunk")]
    public Task Run(
        [QueueTrigger("%" + StorageQueueStatusJobQueue.QueueSetting + "%")] string message,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        jobs.ProcessChunkAsync(StorageQueueStatusJobQueue.Parse(message), lastDelivery: dequeueCount >= MaxDequeueCount, cancellationToken);
}
