using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Points;

namespace ServerlessMyKey.Functions.Points;

/// <summary>
/// The points timers: holding points past their 14 days go to the default municipality, and lots
/// past their expiry are written off with expiry entries. Both read the due index and settle each
/// account from its current state, so a run that repeats or overlaps another does no harm.
/// </summary>
public sealed class PointsTimers(PointsLedgerService points, ILogger<PointsTimers> logger)
{
    private const int BatchSize = 200;
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);

    [Function("PointsAutoAssignment")]
    public Task AutoAssign([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        RunAsync(PointsDueKind.AutoAssignment, cancellationToken);

    [Function("PointsExpiry")]
    public Task Expire([TimerTrigger("30 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        RunAsync(PointsDueKind.Expiry, cancellationToken);

    private async Task RunAsync(PointsDueKind kind, CancellationToken cancellationToken)
    {
        // Batches until nothing is due or the budget (under the 5-minute schedule) is spent.
        var clock = Stopwatch.StartNew();
        DueWorkReport report;
        do
        {
            report = await points.RunDueWorkAsync(kind, BatchSize, cancellationToken);
            if (report.Due > 0)
            {
                logger.LogInformation("Points {Kind}: {Due} due, {Settled} settled, {Skipped} skipped", kind, report.Due, report.Settled, report.Skipped);
            }
        }
        while (report.Due == BatchSize && clock.Elapsed < Budget);
    }
}
