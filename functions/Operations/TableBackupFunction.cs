using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Functions.Operations;

/// <summary>
/// Exports the application's tables to Blob Storage (<c>table-backups/&lt;backupId&gt;/</c>) on
/// <c>Backup:ExportSchedule</c>; blob soft delete and versioning protect the exports, the storage
/// lifecycle rule deletes them after <c>tableBackupRetentionDays</c>. Restoring is a runbook step
/// (docs/operations.md).
/// </summary>
public sealed class TableBackupFunction(ITableBackup backup, ILogger<TableBackupFunction> logger)
{
    [Function("ExportTables")]
    public async Task Run([TimerTrigger("%Backup:ExportSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await backup.ExportAsync(cancellationToken);
        logger.LogInformation(
            "Table export {BackupId}: {TableCount} tables, {EntityCount} entities",
            result.BackupId,
            result.EntitiesByTable.Count,
            result.EntitiesByTable.Values.Sum());
    }
}
