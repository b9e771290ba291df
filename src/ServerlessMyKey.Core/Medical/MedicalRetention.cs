using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// <c>Medical:Retention:*</c>: how long the patient's access log and the facilities' reservations are kept
/// (docs/medical.md "Data kept").
/// </summary>
public sealed record MedicalRetentionOptions
{
    public const string SectionName = "Medical:Retention";

    /// <summary><c>Medical:Retention:AccessLogDays</c>: access-log entries older than this are deleted (5 years).</summary>
    public int AccessLogDays { get; init; } = 1825;

    /// <summary><c>Medical:Retention:ReservationDays</c>: reservations whose time is longer ago than this are deleted.</summary>
    public int ReservationDays { get; init; } = 90;

    /// <summary>Problems with these settings, each naming its key; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (AccessLogDays is < 1 or > 3650)
        {
            problems.Add("Medical:Retention:AccessLogDays must be between 1 and 3650.");
        }

        if (ReservationDays is < 1 or > 3650)
        {
            problems.Add("Medical:Retention:ReservationDays must be between 1 and 3650.");
        }

        return problems;
    }
}

/// <summary>Deletes medical rows past their retention, at most a batch per kind and run.</summary>
public interface IMedicalRetentionStore
{
    /// <summary>Access-log entries recorded before <paramref name="before"/>.</summary>
    Task<int> DeleteAccessLogBeforeAsync(DateTimeOffset before, int maxRows, CancellationToken cancellationToken = default);

    /// <summary>Reservations (and their day index rows) whose time is before <paramref name="before"/>.</summary>
    Task<int> DeleteReservationsBeforeAsync(DateTimeOffset before, int maxRows, CancellationToken cancellationToken = default);

    /// <summary>Patient link codes that expired before <paramref name="before"/> unused.</summary>
    Task<int> DeleteLinkCodesExpiredBeforeAsync(DateTimeOffset before, int maxRows, CancellationToken cancellationToken = default);
}

/// <summary>The retention run of the medical tables (the <c>MedicalRetention</c> timer).</summary>
public sealed class MedicalRetention(IMedicalRetentionStore store, MedicalRetentionOptions options, CleanupOptions cleanup, TimeProvider time, ILogger<MedicalRetention> logger)
{
    public async Task<MedicalRetentionRun> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var run = new MedicalRetentionRun(
            await store.DeleteAccessLogBeforeAsync(now.AddDays(-options.AccessLogDays), cleanup.BatchSize, cancellationToken),
            await store.DeleteReservationsBeforeAsync(now.AddDays(-options.ReservationDays), cleanup.BatchSize, cancellationToken),
            await store.DeleteLinkCodesExpiredBeforeAsync(now, cleanup.BatchSize, cancellationToken));
        logger.LogInformation(
            "Medical retention deleted {AccessLogCount} access-log entries, {ReservationCount} reservation rows and {LinkCodeCount} expired link codes",
            run.AccessLogEntries, run.ReservationRows, run.LinkCodes);
        return run;
    }
}

/// <summary>Rows one retention run deleted.</summary>
public sealed record MedicalRetentionRun(int AccessLogEntries, int ReservationRows, int LinkCodes);
