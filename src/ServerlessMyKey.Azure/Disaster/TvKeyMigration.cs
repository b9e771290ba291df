using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Validation;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// The one-off upgrade of the disaster tables written before a TV was its platform and its id (docs/disaster.md
/// "Upgrading: TV keys and CAP identities"): <c>tv|&lt;tvId&gt;</c> links, <c>t|&lt;tvId&gt;</c> index rows and
/// <c>d|&lt;tvId&gt;</c> deliveries move to <see cref="TvKey"/> keys (their rows name the platform), a linked TV's log
/// partition <c>&lt;tvId&gt;</c> is copied to <c>&lt;platformId&gt;:&lt;tvId&gt;</c>, watch alerts get their
/// <c>TvKey</c>, and every alert is indexed under the current CAP identity key. Each row is written under its new key
/// first (an existing row there is kept), then the old one deleted, so a run that stopped is run again. Rows that name no
/// platform cannot be keyed: a tombstone is deleted (its log stays unread, so no earlier resident's events ever count);
/// an index row, delivery or watch alert is deleted and counted in <see cref="TvKeyMigrationResult.WithoutPlatform"/> (no
/// version can read it; its TV must be paired again).
/// </summary>
public sealed class TvKeyMigration(TableServiceClient tables, string tablePrefix = "")
{
    private const string Row = "row";

    public async Task<TvKeyMigrationResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var result = new TvKeyMigrationResult();
        var registry = await TableAsync("DisasterRegistry", cancellationToken);
        var platforms = new Dictionary<string, string>(StringComparer.Ordinal);

        // The platforms of the earlier links first; the links themselves move last, so that a run that stopped finds them
        // again when it is run again (the logs, index rows and watch alerts of a TV need its platform).
        var legacyLinks = TableClient.CreateQueryFilter($"PartitionKey ge {"tv|"} and PartitionKey lt {"tv}"} and RowKey eq {Row}");
        await foreach (var row in registry.QueryAsync<TableEntity>(legacyLinks, cancellationToken: cancellationToken))
        {
            if (IsLegacy(row.PartitionKey[3..]) && RequestFields.IsId(row.PartitionKey[3..]) && Platform(row) is { } platform)
            {
                platforms[row.PartitionKey[3..]] = platform;
            }
        }

        await foreach (var row in registry.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {"t|"} and RowKey lt {"t}"}"), cancellationToken: cancellationToken))
        {
            var tvId = row.RowKey[2..];
            if (IsLegacy(tvId) && (row.PartitionKey.StartsWith("k|", StringComparison.Ordinal) || row.PartitionKey.StartsWith("m|", StringComparison.Ordinal)))
            {
                result.IndexRows += await MoveOrCountAsync(registry, row, tvId, platforms, key => "t|" + key, result, cancellationToken);
            }
        }

        var alerts = await TableAsync("DisasterAlerts", cancellationToken);
        await foreach (var row in alerts.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {"d|"} and RowKey lt {"d}"}"), cancellationToken: cancellationToken))
        {
            var tvId = row.RowKey[2..];
            if (IsLegacy(tvId))
            {
                result.Deliveries += await MoveOrCountAsync(alerts, row, tvId, platforms, key => "d|" + key, result, cancellationToken);
            }
        }

        await foreach (var row in alerts.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {"alert"}"), cancellationToken: cancellationToken))
        {
            if (row.PartitionKey.StartsWith("cap|", StringComparison.Ordinal))
            {
                continue; // an index row (of this version's key or the earlier one, which nothing reads)
            }

            var sent = (row.GetDateTimeOffset("Sent") ?? default).ToOffset(TimeSpan.FromMinutes(row.GetInt32("SentOffset") ?? 0));
            var index = new TableEntity(TableAlertStore.CapKey(row.GetString("Sender") ?? string.Empty, row.GetString("Identifier") ?? string.Empty, sent), "alert") { ["AlertId"] = row.PartitionKey };
            if (await TableTransactions.TrySubmitAsync(alerts, [new(TableTransactionActionType.Add, index)], cancellationToken))
            {
                result.CapIdentities++;
            }
        }

        var logs = await TableAsync("TvOperationLogs", cancellationToken);
        foreach (var (tvId, platform) in platforms)
        {
            result.LogRows += await MoveLogAsync(logs, tvId, new TvKey(platform, tvId).ToString(), cancellationToken);
        }

        var watches = await TableAsync("DisasterWatchAlerts", cancellationToken);
        await foreach (var row in watches.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {"w|"} and RowKey lt {"w}"}"), cancellationToken: cancellationToken))
        {
            if (row.GetString("TvKey") is not null || row.GetString("TvId") is not { } tvId)
            {
                continue;
            }

            if ((Platform(row) ?? platforms.GetValueOrDefault(tvId)) is { } platform && RequestFields.IsId(tvId))
            {
                await watches.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { ["TvKey"] = new TvKey(platform, tvId).ToString() }, row.ETag, TableUpdateMode.Merge, cancellationToken);
                result.WatchAlerts++;
            }
            else
            {
                await watches.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                result.WithoutPlatform++;
            }
        }

        await foreach (var row in registry.QueryAsync<TableEntity>(legacyLinks, cancellationToken: cancellationToken))
        {
            var tvId = row.PartitionKey[3..];
            if (!IsLegacy(tvId))
            {
                continue;
            }

            if (Platform(row) is { } platform && RequestFields.IsId(tvId))
            {
                await MoveAsync(registry, row, "tv|" + new TvKey(platform, tvId), Row, cancellationToken);
                result.Links++;
            }
            else
            {
                await registry.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                result.Tombstones++;
            }
        }

        return result;
    }

    /// <summary>A key part of an earlier version: a TV id alone (a <see cref="TvKey"/> always holds a <c>:</c>).</summary>
    private static bool IsLegacy(string key) => !key.Contains(':', StringComparison.Ordinal);

    private static string? Platform(TableEntity row) => row.GetString("PlatformId") is { } platform && RequestFields.IsId(platform) ? platform : null;

    private static async Task<int> MoveOrCountAsync(TableClient table, TableEntity row, string tvId, Dictionary<string, string> platforms, Func<TvKey, string> rowKey, TvKeyMigrationResult result, CancellationToken cancellationToken)
    {
        if ((Platform(row) ?? platforms.GetValueOrDefault(tvId)) is { } platform && RequestFields.IsId(tvId))
        {
            await MoveAsync(table, row, row.PartitionKey, rowKey(new TvKey(platform, tvId)), cancellationToken);
            return 1;
        }

        // Nothing names its platform: no version can read it (and this one would fail on it), so it goes, counted.
        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
        result.WithoutPlatform++;
        return 0;
    }

    /// <summary>The row under its new key (kept when one is there already), then the old row deleted.</summary>
    private static async Task MoveAsync(TableClient table, TableEntity row, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        await TableTransactions.TrySubmitAsync(table, [new(TableTransactionActionType.Add, Copy(row, partitionKey, rowKey))], cancellationToken);
        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
    }

    /// <summary>A TV's log partition copied under its key in transactions of 100 (rows there kept), then deleted.</summary>
    private static async Task<int> MoveLogAsync(TableClient logs, string from, string to, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in logs.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {from}"), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        foreach (var chunk in rows.Chunk(TableLimits.MaxTransactionActions))
        {
            if (!await TableTransactions.TrySubmitAsync(logs, [.. chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, Copy(r, to, r.RowKey)))], cancellationToken))
            {
                foreach (var row in chunk)
                {
                    await TableTransactions.TrySubmitAsync(logs, [new(TableTransactionActionType.Add, Copy(row, to, row.RowKey))], cancellationToken);
                }
            }

            await TableTransactions.TrySubmitAsync(logs, [.. chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All))], cancellationToken);
        }

        return rows.Count;
    }

    /// <summary>The row's own properties under other keys (not its keys, timestamp or ETag).</summary>
    private static TableEntity Copy(TableEntity row, string partitionKey, string rowKey)
    {
        var copy = new TableEntity(partitionKey, rowKey);
        foreach (var (name, value) in row)
        {
            if (name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                copy[name] = value;
            }
        }

        return copy;
    }

    private async Task<TableClient> TableAsync(string name, CancellationToken cancellationToken)
    {
        var table = tables.GetTableClient(tablePrefix + name);
        await table.CreateIfNotExistsAsync(cancellationToken);
        return table;
    }
}

/// <summary>What <see cref="TvKeyMigration"/> moved; <see cref="WithoutPlatform"/>: rows deleted because nothing named their platform (their TVs must be paired again).</summary>
public sealed class TvKeyMigrationResult
{
    public int Links { get; set; }

    public int Tombstones { get; set; }

    public int IndexRows { get; set; }

    public int Deliveries { get; set; }

    public int CapIdentities { get; set; }

    public int LogRows { get; set; }

    public int WatchAlerts { get; set; }

    public int WithoutPlatform { get; set; }
}
