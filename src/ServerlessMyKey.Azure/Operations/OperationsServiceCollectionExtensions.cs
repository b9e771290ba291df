using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Azure.Operations;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>Tables whose partitions hold <c>idem|…</c> response rows (see IdempotencyRows' callers).</summary>
    public static readonly IReadOnlyList<string> IdempotencyResponseTables =
        ["PointsLedger", "PointsMerchants", "FacilityRegistry", "FacilityLinks", "FacilityCheckins", "CertificateWatches", "DisasterAlerts"];

    /// <summary>
    /// Table names never exported: the Durable task hub's (host.json <c>hubName</c>; orchestration
    /// history is re-driven, not restored) and the Functions host's own.
    /// </summary>
    public static readonly IReadOnlyList<string> NotBackedUpPrefixes = ["ServerlessMyKey", "AzureFunctions"];

    /// <summary>
    /// Clean-up of idempotency rows (<c>Cleanup:*</c>) and the migration of legacy idempotency claims and the purge of finished orchestrations
    /// (<c>Durable:PurgeAfterDays</c>, <c>Durable:PurgeBatchSize</c>), both validated at start-up, the poison-queue count
    /// and the table export/restore. <paramref name="tablePrefix"/> lets tests keep their tables apart.
    /// </summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(CleanupOptions.SectionName).Get<CleanupOptions>() ?? new CleanupOptions();
        var purge = configuration.GetSection(DurablePurgeOptions.SectionName).Get<DurablePurgeOptions>() ?? new DurablePurgeOptions();
        var problems = options.Validate().Concat(purge.Validate()).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid configuration: " + string.Join(" ", problems));
        }

        services.AddSingleton(options);
        services.AddSingleton(purge);
        services.AddSingleton<IIdempotencyCleanup>(sp => new TableIdempotencyCleanup(
            sp.GetRequiredService<TableServiceClient>(),
            [.. IdempotencyResponseTables.Select(t => tablePrefix + t)]));
        services.AddSingleton<IIdempotencyClaimsMigration>(sp => new TableIdempotencyClaimsMigration(
            IdempotencyClaimRows.Table(sp.GetRequiredService<TableServiceClient>(), tablePrefix, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPoisonQueues>(sp => new StoragePoisonQueues(sp.GetRequiredService<QueueServiceClient>()));
        services.AddSingleton<ITableBackup>(sp => new BlobTableBackup(
            sp.GetRequiredService<TableServiceClient>(),
            sp.GetRequiredService<BlobServiceClient>(),
            sp.GetRequiredService<TimeProvider>(),
            tablePrefix,
            NotBackedUpPrefixes));
        return services;
    }
}
