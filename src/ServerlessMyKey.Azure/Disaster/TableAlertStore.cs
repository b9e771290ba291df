using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// Alerts (docs/disaster.md): partition <c>&lt;alertId&gt;</c> holds the alert row <c>alert</c> (the CAP
/// document chunked), the idempotent response, and one delivery row <c>d|&lt;platformId&gt;:&lt;tvId&gt;</c> (<see cref="TvKey"/>) per targeted TV,
/// written in 100-row entity-group batches. Partition <c>cap|&lt;hash of sender, identifier, sent&gt;</c>
/// indexes alerts by their CAP identity (for <c>references</c> and duplicates).
/// </summary>
internal sealed class TableAlertStore(LazyTable table) : IAlertStore
{
    private const string AlertRow = "alert";
    private const string DeliveryPrefix = "d|";

    /// <summary>Up to this many TVs are read one by one; more are one range query.</summary>
    private const int PointReadsUpTo = 2;

    public async Task<StoredResponse?> FindSubmissionResponseAsync(string alertId, string idempotencyKeyHash, CancellationToken cancellationToken = default) =>
        await IdempotencyRows.FindAsync(await table.GetAsync(cancellationToken), alertId, idempotencyKeyHash, cancellationToken);

    public async Task<bool> TryAddAlertAsync(DisasterAlert alert, IdempotentWrite? response, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(alert.AlertId, AlertRow)
        {
            ["Identifier"] = alert.Identifier,
            ["Sender"] = alert.Sender,
            ["Sent"] = alert.Sent,
            ["SentOffset"] = (int)alert.Sent.Offset.TotalMinutes,
            ["CapStatus"] = alert.CapStatus,
            ["MsgType"] = alert.MsgType,
            ["MunicipalityCodes"] = string.Join(',', alert.MunicipalityCodes),
            ["DistrictCodes"] = string.Join(',', alert.DistrictCodes),
            ["References"] = string.Join(',', alert.References),
            ["Level"] = alert.Level,
            ["Shelters"] = JsonSerializer.Serialize(alert.Shelters),
            ["Expires"] = alert.Expires,
            ["Exercise"] = alert.Exercise,
            ["State"] = alert.State,
            ["Targets"] = alert.Targets,
            ["SubmittedBy"] = alert.SubmittedBy,
            ["ReceivedAt"] = alert.ReceivedAt,
        };
        ChunkedProperty.Write(entity, "Cap", alert.Cap);
        List<TableTransactionAction> actions = [new(TableTransactionActionType.Add, entity)];
        if (response is not null)
        {
            actions.Add(IdempotencyRows.Insert(alert.AlertId, response));
        }

        return await TableTransactions.TrySubmitAsync(await table.GetAsync(cancellationToken), actions, cancellationToken);
    }

    public async Task<DisasterAlert?> FindAlertAsync(string alertId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var found = await client.GetEntityIfExistsAsync<TableEntity>(alertId, AlertRow, cancellationToken: cancellationToken);
        if (!found.HasValue)
        {
            return null;
        }

        var row = found.Value!;
        var sent = (row.GetDateTimeOffset("Sent") ?? default).ToOffset(TimeSpan.FromMinutes(row.GetInt32("SentOffset") ?? 0));
        return new DisasterAlert(alertId, row.GetString("Identifier"), row.GetString("Sender"), sent, row.GetString("CapStatus"), row.GetString("MsgType"),
            Split(row.GetString("MunicipalityCodes")), Split(row.GetString("DistrictCodes")), Split(row.GetString("References")), row.GetInt32("Level"),
            JsonSerializer.Deserialize<List<string>>(row.GetString("Shelters") ?? "[]") ?? [], row.GetDateTimeOffset("Expires"), row.GetBoolean("Exercise") ?? false,
            row.GetString("State"), row.GetInt32("Targets") ?? 0, row.GetString("SubmittedBy"), row.GetDateTimeOffset("ReceivedAt") ?? default,
            ChunkedProperty.Read(row, "Cap"), row.GetString("ReplacedBy"));
    }

    public async Task<string?> FindAlertIdByCapAsync(string sender, string identifier, DateTimeOffset sent, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(CapKey(sender, identifier, sent), AlertRow, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetString("AlertId") : null;
    }

    public async Task<bool> TryIndexCapAsync(DisasterAlert alert, CancellationToken cancellationToken = default)
    {
        var key = CapKey(alert.Sender, alert.Identifier, alert.Sent);
        if (await TableTransactions.TrySubmitAsync(await table.GetAsync(cancellationToken),
            [new(TableTransactionActionType.Add, new TableEntity(key, AlertRow) { ["AlertId"] = alert.AlertId })], cancellationToken))
        {
            return true;
        }

        return await FindAlertIdByCapAsync(alert.Sender, alert.Identifier, alert.Sent, cancellationToken) == alert.AlertId;
    }

    public async Task SetAlertStateAsync(string alertId, string? state, int? targets = null, string? replacedBy = null, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(alertId, AlertRow);
        if (state is not null)
        {
            entity["State"] = state;
        }

        if (targets is { } count)
        {
            entity["Targets"] = count;
        }

        if (replacedBy is not null)
        {
            entity["ReplacedBy"] = replacedBy;
        }

        var client = await table.GetAsync(cancellationToken);
        await client.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    public async Task AddDeliveriesAsync(string alertId, IReadOnlyList<AlertDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var existing = (await ListDeliveriesAsync(alertId, cancellationToken)).Select(d => d.Key).ToHashSet();
        var fresh = deliveries.Where(d => !existing.Contains(d.Key)).ToList();
        await Parallel.ForEachAsync(fresh.Chunk(TableLimits.MaxTransactionActions), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            if (!await TableTransactions.TrySubmitAsync(client, [.. batch.Select(d => new TableTransactionAction(TableTransactionActionType.Add, DeliveryRow(d)))], ct))
            {
                // Another plan wrote some of them meanwhile: add the rest one by one, keeping what exists.
                foreach (var delivery in batch)
                {
                    await TableTransactions.TrySubmitAsync(client, [new(TableTransactionActionType.Add, DeliveryRow(delivery))], ct);
                }
            }
        });
    }

    public async Task<IReadOnlyList<AlertDelivery>> ListDeliveriesAsync(string alertId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var rows = new List<AlertDelivery>();
        await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {alertId} and RowKey ge {DeliveryPrefix} and RowKey lt {"d}"}"), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            rows.Add(ReadDelivery(row));
        }

        return rows;
    }

    public async Task<IReadOnlyList<AlertDelivery>> FindDeliveriesAsync(string alertId, IReadOnlyCollection<TvKey> tvs, CancellationToken cancellationToken = default)
    {
        // A fan-out batch is a run of TV keys in row-key order (the plan cuts it so): one range query from its first to its
        // last. TVs spread over the alert's partition (the displays a platform logs) stop the scan at 4 rows per TV.
        var client = await table.GetAsync(cancellationToken);
        var rows = await BoundedRangeLookup.FindAsync(
            [.. tvs.Select(t => DeliveryPrefix + t)],
            (first, last) => client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {alertId} and RowKey ge {first} and RowKey le {last}"), maxPerPage: 1000, cancellationToken: cancellationToken),
            row => row.RowKey,
            (rowKey, ct) => TableRows.FindAsync(client, alertId, rowKey, ct),
            PointReadsUpTo,
            minimumScan: 0,
            cancellationToken);
        return [.. rows.Select(ReadDelivery)];
    }

    public async Task<AlertDelivery?> TryUpdateDeliveryAsync(AlertDelivery delivery, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        try
        {
            var response = await client.UpdateEntityAsync(DeliveryRow(delivery), new ETag(delivery.ETag!), TableUpdateMode.Replace, cancellationToken);
            return delivery with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<AlertDelivery>> TryUpdateDeliveriesAsync(IReadOnlyList<AlertDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var written = new List<AlertDelivery>(deliveries.Count);
        foreach (var partition in deliveries.GroupBy(d => d.AlertId, StringComparer.Ordinal))
        {
            foreach (var batch in partition.Chunk(TableLimits.MaxTransactionActions))
            {
                var etags = await TableTransactions.TrySubmitForETagsAsync(client,
                    [.. batch.Select(d => new TableTransactionAction(TableTransactionActionType.UpdateReplace, DeliveryRow(d), new ETag(d.ETag!)))], cancellationToken);
                if (etags is not null && etags.All(e => e is not null))
                {
                    written.AddRange(batch.Select((d, i) => d with { ETag = etags[i]!.Value.ToString() }));
                    continue;
                }

                // A row changed since it was read (another worker, a display logged): the others one by one.
                foreach (var delivery in batch)
                {
                    if (await TryUpdateDeliveryAsync(delivery, cancellationToken) is { } updated)
                    {
                        written.Add(updated);
                    }
                }
            }
        }

        return written;
    }

    public async Task MarkDisplayedAsync(IReadOnlyCollection<AlertDisplay> displays, CancellationToken cancellationToken = default)
    {
        // Per alert: its TVs' delivery rows in one bounded lookup, the earlier displays in entity-group transactions under
        // the rows' ETags; rows a concurrent writer (the fan-out) changed meanwhile are read and tried again.
        var alerts = displays.GroupBy(d => (d.AlertId, d.Tv)).Select(g => g.MinBy(d => d.At)!).GroupBy(d => d.AlertId, StringComparer.Ordinal);
        await Parallel.ForEachAsync(alerts, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (alert, ct) =>
        {
            var earliest = alert.ToDictionary(d => d.Tv, d => d.At);
            IReadOnlyCollection<TvKey> pending = earliest.Keys;
            for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts && pending.Count > 0; attempt++)
            {
                var changes = (await FindDeliveriesAsync(alert.Key, pending, ct))
                    .Where(d => d.DisplayedAt is not { } shown || shown > earliest[d.Key])
                    .Select(d => d with { DisplayedAt = earliest[d.Key] })
                    .ToList();
                var written = (await TryUpdateDeliveriesAsync(changes, ct)).Select(d => d.Key).ToHashSet();
                pending = [.. changes.Select(d => d.Key).Where(tv => !written.Contains(tv))];
            }
        });
    }

    private static TableEntity DeliveryRow(AlertDelivery d) => new(d.AlertId, DeliveryPrefix + d.Key)
    {
        ["PlatformId"] = d.PlatformId,
        ["ResidentId"] = d.ResidentId,
        ["MunicipalityCode"] = d.MunicipalityCode,
        ["DistrictCode"] = d.DistrictCode,
        ["State"] = d.State,
        ["Attempts"] = d.Attempts,
        ["LastError"] = d.LastError,
        ["SendingSince"] = d.SendingSince,
        ["DeliveredAt"] = d.DeliveredAt,
        ["DisplayedAt"] = d.DisplayedAt,
        ["LeaseId"] = d.LeaseId,
        ["Names"] = d.ProtectedNames,
    };

    private static AlertDelivery ReadDelivery(TableEntity row)
    {
        var tv = TvKey.Parse(row.RowKey[DeliveryPrefix.Length..]);
        return new(row.PartitionKey, tv.TvId, tv.PlatformId, row.GetString("ResidentId"), row.GetString("MunicipalityCode"),
            row.GetString("DistrictCode"), row.GetString("State"), row.GetInt32("Attempts") ?? 0, row.GetString("LastError"), row.GetDateTimeOffset("SendingSince"),
            row.GetDateTimeOffset("DeliveredAt"), row.GetDateTimeOffset("DisplayedAt"), row.ETag.ToString(), row.GetString("LeaseId"), row.GetBinary("Names"));
    }

    /// <summary>
    /// The partition of a CAP identity: SHA-256 over sender and identifier, each as its length and then its UTF-16 code
    /// units, and the instant of <c>sent</c>. Whatever the free text holds (characters Table keys forbid such as
    /// <c>/ \ # ?</c>, control characters, unpaired surrogates, any length) the key is 68 safe characters, and two
    /// identities never hash the same input: no separator that a sender could contain, no lossy text encoding.
    /// </summary>
    internal static string CapKey(string sender, string identifier, DateTimeOffset sent)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[sizeof(long)];
        foreach (var text in (ReadOnlySpan<string>)[sender, identifier])
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, text.Length);
            hash.AppendData(number);
            hash.AppendData(MemoryMarshal.AsBytes(text.AsSpan()));
        }

        BinaryPrimitives.WriteInt64LittleEndian(number, sent.UtcTicks);
        hash.AppendData(number);
        return "cap|" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static List<string> Split(string? value) => [.. (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)];
}
