using System.Diagnostics.Metrics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Health;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Functions.Operations;

/// <summary>
/// Every 5 minutes, one log event per revocation source (<c>RevocationStatus</c> ok | stale_soon |
/// stale | unavailable, with its nextUpdate or the responder's last answer) and per <c>-poison</c>
/// queue (<c>PoisonQueue</c>, <c>MessageCount</c>): the events infra/modules/alerts.bicep alerts on.
/// The same readings are recorded as metrics of the meter <see cref="MeterName"/> (exported to
/// Application Insights' customMetrics): <c>serverlessmykey.revocation.hours_to_next_update</c> per
/// CRL source and <c>serverlessmykey.queue.poison_messages</c> per poison queue.
/// </summary>
public sealed class OperationalStateFunction(RevocationFreshness revocation, IPoisonQueues poisonQueues, TimeProvider time, ILogger<OperationalStateFunction> logger)
{
    private static readonly EventId RevocationFreshnessEvent = new(1801, "RevocationFreshness");
    private static readonly EventId PoisonQueueEvent = new(1802, "PoisonQueue");

    public const string MeterName = "ServerlessMyKey.Operations";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Gauge<double> HoursToNextUpdate = Meter.CreateGauge<double>("serverlessmykey.revocation.hours_to_next_update", "h");
    private static readonly Gauge<int> PoisonMessages = Meter.CreateGauge<int>("serverlessmykey.queue.poison_messages");

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
            if (source.NextUpdate is { } nextUpdate)
            {
                HoursToNextUpdate.Record(
                    (nextUpdate - time.GetUtcNow()).TotalHours,
                    new KeyValuePair<string, object?>("source", source.Source),
                    new KeyValuePair<string, object?>("status", source.Status));
            }

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
                PoisonMessages.Record(queue.MessageCount, new KeyValuePair<string, object?>("queue", queue.Queue));
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
