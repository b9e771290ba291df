using Microsoft.Azure.Functions.Worker;
using ServerlessMyKey.Azure.Certificates;
using ServerlessMyKey.Core.Certificates.Watches;

namespace ServerlessMyKey.Functions.Certificates;

/// <summary>
/// The re-check of watched certificates: the timer (<c>Certificates:WatchSchedule</c>, default 02:00
/// JST) queues the work, the queue trigger does it one item at a time. A failed item is delivered
/// again after the visibility timeout and goes to <c>&lt;queue&gt;-poison</c> after the dequeue limit
/// (host.json); a revocation whose webhook never got a 2xx is queued again by the next run.
/// </summary>
public sealed class CertificateWatchWorkers(CertificateWatchRechecks rechecks)
{
    [Function("CertificateWatchRecheck")]
    public Task Start([TimerTrigger("%Certificates:WatchSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        rechecks.StartRunAsync(cancellationToken);

    [Function("CertificateWatchWork")]
    public Task Work([QueueTrigger("%Certificates:WatchQueue%")] string message, CancellationToken cancellationToken) =>
        rechecks.RunAsync(StorageCertificateWatchQueue.Parse(message), cancellationToken);
}
