using Microsoft.Azure.Functions.Worker;
using ServerlessMyKey.Core.Medical;

namespace ServerlessMyKey.Functions.Medical;

/// <summary>
/// Daily at 03:30 UTC: access-log entries older than <c>Medical:Retention:AccessLogDays</c>, reservations older
/// than <c>Medical:Retention:ReservationDays</c> and unused expired link codes, at most <c>Cleanup:BatchSize</c>
/// rows of each a run (what is left goes in the next run).
/// </summary>
public sealed class MedicalRetentionFunction(MedicalRetention retention)
{
    [Function("MedicalRetention")]
    public Task Run([TimerTrigger("0 30 3 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        retention.RunAsync(cancellationToken);
}
