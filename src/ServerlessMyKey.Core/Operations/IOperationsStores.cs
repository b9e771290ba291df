namespace ServerlessMyKey.Core.Operations;

/// <summary>Rows past their retention: stored idempotency responses older than the window (claims are kept).</summary>
public interface IIdempotencyCleanup
{
    /// <summary>Deletes stored responses written before <paramref name="writtenBefore"/>, at most <paramref name="maxRowsPerTable"/> per table; returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset writtenBefore, int maxRowsPerTable, CancellationToken cancellationToken = default);
}

/// <summary>
/// Moves idempotency claims written in the first table layout to the current one, a bounded batch a run (the
/// clean-up timer), until none is left.
/// </summary>
public interface IIdempotencyClaimsMigration
{
    /// <summary>Moves at most <paramref name="maxRows"/> legacy claims; <c>Complete</c> once none is left (then every later run does nothing).</summary>
    Task<ClaimsMigrationReport> MigrateAsync(int maxRows, CancellationToken cancellationToken = default);
}

public sealed record ClaimsMigrationReport(int Migrated, bool Complete);

/// <summary>The <c>-poison</c> queues and how many messages each holds (work that failed every delivery).</summary>
public interface IPoisonQueues
{
    Task<IReadOnlyList<PoisonQueueCount>> CountAsync(CancellationToken cancellationToken = default);
}

public sealed record PoisonQueueCount(string Queue, int MessageCount);

/// <summary>
/// Table data exported to Blob Storage and read back (docs/operations.md, "Restoring data"): one
/// folder per export, one JSON-lines blob per table, every property with its type.
/// </summary>
public interface ITableBackup
{
    /// <summary>Exports every application table; returns the backup id (the folder under <c>table-backups</c>).</summary>
    Task<TableBackupResult> ExportAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes the backup's entities back (insert or replace: running it again is harmless).</summary>
    Task<TableBackupResult> RestoreAsync(string backupId, CancellationToken cancellationToken = default);
}

public sealed record TableBackupResult(string BackupId, IReadOnlyDictionary<string, int> EntitiesByTable);
