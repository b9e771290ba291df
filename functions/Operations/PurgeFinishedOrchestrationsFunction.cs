using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Functions.Operations;

/// <summary>
/// Every hour: purges the history of every orchestration of the task hub (delegation transmissions and
/// notifications, child-care applications, mailbox deliveries — whatever their name) that completed,
/// failed or was terminated more than <c>Durable:PurgeAfterDays</c> ago, at most
/// <c>Durable:PurgeBatchSize</c> a run. Running and pending instances are never touched.
/// </summary>
public sealed class PurgeFinishedOrchestrationsFunction(DurablePurgeOptions options, TimeProvider time, ILogger<PurgeFinishedOrchestrationsFunction> logger)
{
    private static readonly OrchestrationRuntimeStatus[] Finished =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    [Function("PurgeFinishedOrchestrations")]
    public Task Run([TimerTrigger("0 40 * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        PurgeAsync(durable, cancellationToken);

    /// <summary>One run; returns how many instances were purged.</summary>
    public async Task<int> PurgeAsync(DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var cutoff = time.GetUtcNow() - options.Retention;

        // Created before the cut-off (the query's filter), and also finished before it: a workflow that
        // ran for weeks keeps its outcome readable for the whole retention after its end.
        var query = new OrchestrationQuery { CreatedTo = cutoff, Statuses = Finished, PageSize = Math.Min(options.PurgeBatchSize, 100) };
        var purged = 0;
        var seen = 0;
        await foreach (var instance in durable.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            if (purged >= options.PurgeBatchSize || ++seen > 2 * options.PurgeBatchSize)
            {
                break;
            }

            if (instance.LastUpdatedAt <= cutoff)
            {
                purged += (await durable.PurgeInstanceAsync(instance.InstanceId, cancellation: cancellationToken)).PurgedInstanceCount;
            }
        }

        logger.LogInformation("Purged {Count} finished orchestration instances older than {Days} days", purged, options.PurgeAfterDays);
        return purged;
    }
}
