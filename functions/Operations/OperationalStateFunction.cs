using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Health;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Functions.Operations;

/// <summary>
/// Every 5 minutes, one log event per revocation source (<c>RevocationStatus</c> ok | stale_soon |
/// stale | unavailable, with its nextUpdate or the responder's last answer) and per <c>-poison</c>
/// queue (<c>PoisonQueue</c>, <c>MessageCount</c>): the events infra/modules/alerts.bicep alerts on.
/// </summary>
public sealed class OperationalStateFunction(RevocationFreshness revocation, IPoisonQueues poisonQueues, ILogger<OperationalStateFunction> logger)
{
    private static readonly EventId RevocationFreshnessEvent = new(1801, "RevocationFreshness");
    private static readonly EventId PoisonQueueEvent = new(1802, "PoisonQueue");

    [Function("ReportOperationalState")]
    public async Task Run([TimerTrigger("0 */5 * * * *", RunOnStartup = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var report = await revocation.ReportAsync(cancellationToken);
        if (report.Sources.Count == 0 && report.Status == RevocationFreshness.Unavailable)
        {
            logger.LogError(RevocationFreshnessEvent, "Revocation freshness: {RevocationSource} is {RevocationStatus}", "none-configured", report.Status);
        }

        foreach (var source in report.Sources)
        {
            var level = source.Status switch
            {
                RevocationFreshness.Ok => LogLevel.Information,
                RevocationFreshness.StaleSoon => LogLevel.Warning,
                _ => LogLevel.Error,
            };
            logger.Log(
                level,
                RevocationFreshnessEvent,
                "Revocation freshness: {RevocationSource} ({RevocationSourceName}, issuer {IssuerKeyId}) is {RevocationStatus}; next update {NextUpdate}, last answer {LastAnswerAt}; {RevocationDetail}",
                source.Source,
                source.SourceName,
                source.IssuerKeyId,
                source.Status,
                source.NextUpdate,
                source.LastAnswerAt,
                source.Detail);
        }

        try
        {
            foreach (var queue in await poisonQueues.CountAsync(cancellationToken))
            {
                logger.Log(
                    queue.MessageCount > 0 ? LogLevel.Warning : LogLevel.Information,
                    PoisonQueueEvent,
                    "Poison queue {PoisonQueue} holds {MessageCount} messages",
                    queue.Queue,
                    queue.MessageCount);
            }
        }
        catch (global::Azure.RequestFailedException ex)
        {
            logger.LogWarning(PoisonQueueEvent, "Poison queues could not be counted: status {Status} {ErrorCode}", ex.Status, ex.ErrorCode);
        }
    }
}
