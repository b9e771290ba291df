using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Certificates;
using ServerlessMyKey.Core.Certificates.Watches;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Certificates;

/// <summary>
/// Watches in one table, partition = client id (docs/certificate-watches.md). Rows:
/// <c>w|&lt;watch id&gt;</c> the watch (with the certificate's DER, which the re-check needs),
/// <c>f|&lt;SHA-256&gt;</c> the unique index of the client's certificates (inserted and deleted in the
/// same transaction as its watch), <c>idem|&lt;key hash&gt;</c> kept responses.
/// </summary>
internal sealed class TableCertificateWatchStore(LazyTable table) : ICertificateWatchStore
{

    private const string WatchPrefix = "w|";
    private const string WatchesEnd = "w}";
    private const string FingerprintPrefix = "f|";

    // Two rows per watch within the 100 operations of one transaction.
    private const int WatchesPerTransaction = TableLimits.MaxTransactionActions / 2;

    public async Task<IReadOnlyDictionary<string, CertificateWatch>> FindByFingerprintsAsync(string clientId, IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        var client = await table.GetAsync(cancellationToken);
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, CertificateWatch>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(fingerprints, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (fingerprint, ct) =>
        {
            var index = await client.GetEntityIfExistsAsync<TableEntity>(clientId, FingerprintPrefix + fingerprint, cancellationToken: ct);
            if (index.HasValue && await FindAsync(clientId, index.Value!.GetString("WatchId"), ct) is { } watch)
            {
                found[fingerprint] = watch;
            }
        });
        return found;
    }

    public async Task<bool> TryAddAsync(string clientId, IReadOnlyList<CertificateWatch> watches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watches);
        var client = await table.GetAsync(cancellationToken);
        foreach (var batch in watches.Chunk(WatchesPerTransaction))
        {
            var actions = batch.SelectMany(w => new TableTransactionAction[]
            {
                new(TableTransactionActionType.Add, ToEntity(w)),
                new(TableTransactionActionType.Add, new TableEntity(clientId, FingerprintPrefix + w.Fingerprint) { ["WatchId"] = w.WatchId }),
            }).ToList();
            if (!await TableTransactions.TrySubmitAsync(client, actions, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    public async Task<StoredResponse?> FindResponseAsync(string clientId, string idempotencyKeyHash, CancellationToken cancellationToken = default) =>
        await IdempotencyRows.FindAsync(await table.GetAsync(cancellationToken), clientId, idempotencyKeyHash, cancellationToken);

    public async Task<bool> TrySaveResponseAsync(string clientId, IdempotentWrite response, CancellationToken cancellationToken = default) =>
        await TableTransactions.TrySubmitAsync(await table.GetAsync(cancellationToken), [IdempotencyRows.Insert(clientId, response)], cancellationToken);

    public async Task<CertificateWatch?> FindAsync(string clientId, string watchId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(clientId, WatchPrefix + watchId, cancellationToken: cancellationToken);
        return row.HasValue ? FromEntity(row.Value!) : null;
    }

    public Task<WatchPage> ListAsync(string clientId, string? after, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {clientId} and RowKey gt {WatchPrefix + (after ?? string.Empty)} and RowKey lt {WatchesEnd}"), limit, cancellationToken);

    public Task<WatchPage> ListDueAsync(string clientId, char shard, string? after, int limit, CancellationToken cancellationToken = default)
    {
        var from = WatchPrefix + (after ?? shard.ToString());
        var to = WatchPrefix + shard + "~";
        var state = nameof(WatchState.Active);
        return QueryAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {clientId} and RowKey gt {from} and RowKey lt {to} and (State eq {state} or NotificationPending eq {true})"),
            limit,
            cancellationToken);
    }

    public async Task<bool> DeleteAsync(string clientId, string watchId, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(clientId, watchId, cancellationToken) is not { } watch)
        {
            return false;
        }

        // Whatever a re-check wrote meanwhile (no ETag on the watch row: a delete must not lose to an update,
        // and the update of a deleted row is skipped). The index row is the watch's own while the watch row
        // exists (they are inserted and deleted together), and the transaction fails if the watch went:
        // then a concurrent delete won, which still answers "deleted".
        var deleted = await TrySubmitAsync(
            await table.GetAsync(cancellationToken),
            [
                new(TableTransactionActionType.Delete, new TableEntity(clientId, WatchPrefix + watchId), ETag.All),
                new(TableTransactionActionType.Delete, new TableEntity(clientId, FingerprintPrefix + watch.Fingerprint), ETag.All),
            ],
            cancellationToken);
        return deleted || await FindAsync(clientId, watchId, cancellationToken) is null;
    }

    public async Task<IReadOnlyList<CertificateWatch>> UpdateAsync(string clientId, IReadOnlyList<CertificateWatch> watches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watches);
        var client = await table.GetAsync(cancellationToken);
        var written = new List<CertificateWatch>();
        foreach (var batch in watches.Chunk(TableLimits.MaxTransactionActions))
        {
            var actions = batch.Select(w => new TableTransactionAction(TableTransactionActionType.UpdateMerge, Changes(clientId, w), new ETag(w.Version!))).ToList();
            if (await TrySubmitAsync(client, actions, cancellationToken))
            {
                written.AddRange(batch);
                continue;
            }

            // One row changed or went meanwhile (a delete, a concurrent run): write the others one by one.
            foreach (var (watch, action) in batch.Zip(actions))
            {
                if (await TrySubmitAsync(client, [action], cancellationToken))
                {
                    written.Add(watch);
                }
            }
        }

        return written;
    }

    /// <summary>As <see cref="TableTransactions.TrySubmitAsync"/>, with a row deleted meanwhile (404) also a lost race.</summary>
    private static async Task<bool> TrySubmitAsync(TableClient client, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            return await TableTransactions.TrySubmitAsync(client, actions, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    private async Task<WatchPage> QueryAsync(string filter, int limit, CancellationToken cancellationToken)
    {
        var client = await table.GetAsync(cancellationToken);
        var watches = new List<CertificateWatch>();
        await foreach (var row in client.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            watches.Add(FromEntity(row));
            if (watches.Count == limit)
            {
                return new WatchPage(watches, watches[^1].WatchId);
            }
        }

        return new WatchPage(watches, null);
    }

    private static TableEntity ToEntity(CertificateWatch watch)
    {
        var entity = Changes(watch.ClientId, watch);
        entity["Certificate"] = watch.Certificate;
        entity["Fingerprint"] = watch.Fingerprint;
        entity["SerialNumber"] = watch.SerialNumber;
        entity["Issuer"] = watch.Issuer;
        entity["Kind"] = watch.Kind;
        entity["NotAfter"] = watch.NotAfter;
        entity["CreatedAt"] = watch.CreatedAt;
        return entity;
    }

    /// <summary>The fields a check or a notification changes.</summary>
    private static TableEntity Changes(string clientId, CertificateWatch watch) => new(clientId, WatchPrefix + watch.WatchId)
    {
        ["State"] = watch.State.ToString(),
        ["Status"] = watch.Status.Status,
        ["Reason"] = watch.Status.Reason,
        ["RevokedAt"] = watch.Status.RevokedAt,
        ["CheckedAt"] = watch.Status.CheckedAt,
        ["Source"] = watch.Status.Source,
        ["NotificationPending"] = watch.NotificationPending,
        ["NotifiedAt"] = watch.NotifiedAt,
    };

    private static CertificateWatch FromEntity(TableEntity row)
    {
        var serialNumber = row.GetString("SerialNumber");
        var kind = row.GetString("Kind");
        return new CertificateWatch(
            row.PartitionKey,
            row.RowKey[WatchPrefix.Length..],
            row.GetBinary("Certificate"),
            row.GetString("Fingerprint"),
            serialNumber,
            row.GetString("Issuer"),
            kind,
            row.GetDateTimeOffset("NotAfter") ?? default,
            row.GetDateTimeOffset("CreatedAt") ?? default,
            Enum.Parse<WatchState>(row.GetString("State")),
            new CertificateStatusView(serialNumber, kind, row.GetString("Status"), row.GetDateTimeOffset("CheckedAt") ?? default,
                row.GetString("Reason"), row.GetDateTimeOffset("RevokedAt"), row.GetString("Source")),
            row.GetBoolean("NotificationPending") ?? false,
            row.GetDateTimeOffset("NotifiedAt"),
            row.ETag.ToString());
    }
}
