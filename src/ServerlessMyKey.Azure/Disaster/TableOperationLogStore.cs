using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// TV operation logs (docs/disaster.md), table <c>TvOperationLogs</c>: partition <c>&lt;platformId&gt;:&lt;tvId&gt;</c> (<see cref="TvKey"/>, one TV: no
/// hot partition, however many TVs), and <b>one row per event</b>, <c>e|&lt;eventId&gt;</c> (insert-only: an event id is
/// stored once per TV, whatever its time), with its type, time, channel and alert id. A TV's events of a request are
/// one entity-group transaction per 100 (a single insert for one event); the TVs' writes run in parallel. What
/// happened when is answered by the TVs' days (<see cref="ITvDayStore"/>), merged at ingest; the log is asked only
/// where a day cannot tell, by a filtered scan of the TV's partition (<see cref="LastPowerEventAsync"/>, <see cref="LastEventAtAsync"/>).
/// </summary>
internal sealed class TableOperationLogStore(LazyTable logs) : IOperationLogStore
{
    private const int Parallelism = 16;
    private const int ReadParallelism = 8;
    private const string EventPrefix = "e|";

    public async Task<(int Accepted, int Duplicates, IReadOnlyList<TvEvent> Stored)> AppendAsync(IReadOnlyList<TvEvent> events, CancellationToken cancellationToken = default)
    {
        var logTable = await logs.GetAsync(cancellationToken);
        var accepted = 0;
        var duplicates = 0;
        var stored = new System.Collections.Concurrent.ConcurrentBag<TvEvent>();
        var groups = events.GroupBy(e => e.Key).SelectMany(g => g.Chunk(TableLimits.MaxTransactionActions).Select(chunk => (Partition: g.Key.ToString(), Events: chunk)));
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            IReadOnlyList<TvEvent> pending = group.Events;
            for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
            {
                if (await TryInsertAsync(logTable, group.Partition, pending, ct))
                {
                    Interlocked.Add(ref accepted, pending.Count);
                    foreach (var e in pending)
                    {
                        stored.Add(e);
                    }

                    return;
                }

                // Some event ids are stored already (an earlier request, or one running now): read which, write the rest.
                var found = await FindStoredAsync(logTable, group.Partition, pending, ct);
                foreach (var e in pending.Where(e => found.ContainsKey(e.EventId)))
                {
                    Interlocked.Increment(ref duplicates);
                    if (found[e.EventId] is var first && first.Type == e.Type && first.At == e.At && first.AlertId == e.AlertId)
                    {
                        stored.Add(e);
                    }
                }

                pending = [.. pending.Where(e => !found.ContainsKey(e.EventId))];
                if (pending.Count == 0)
                {
                    return;
                }
            }

            throw new RequestFailedException(409, "The TV's operation log kept changing under concurrent writers.");
        });

        return (accepted, duplicates, [.. stored]);
    }

    public async Task<TvPowerEvent?> LastPowerEventAsync(TvKey tv, DateTimeOffset at, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        if (notBefore > at)
        {
            return null;
        }

        // Newest first; of events at the same instant, the smaller event id (as the TVs' days break ties).
        var latest = await ScanAsync(tv, notBefore, at, TableClient.CreateQueryFilter($" and (Type eq {TvEventTypes.PowerOn} or Type eq {TvEventTypes.PowerOff})"), cancellationToken);
        return latest is { } row ? new TvPowerEvent(tv, row.Type, row.At) : null;
    }

    public async Task<DateTimeOffset?> LastEventAtAsync(TvKey tv, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        from > to ? null : (await ScanAsync(tv, from, to, string.Empty, cancellationToken))?.At;

    /// <summary>
    /// The latest event of the TV in [<paramref name="from"/>, <paramref name="to"/>] (and <paramref name="andFilter"/>): a
    /// filtered scan of the TV's partition, for what its days cannot tell (rare: see <see cref="TvDayView"/>).
    /// </summary>
    private async Task<(string Type, DateTimeOffset At, string EventId)?> ScanAsync(TvKey tv, DateTimeOffset from, DateTimeOffset to, string andFilter, CancellationToken cancellationToken)
    {
        var client = await logs.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {tv.ToString()} and RowKey ge {EventPrefix} and RowKey lt {"e}"} and At ge {from} and At le {to}") + andFilter;
        (string Type, DateTimeOffset At, string EventId)? latest = null;
        await foreach (var row in client.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", "Type", "At"], cancellationToken: cancellationToken))
        {
            var (type, at, eventId) = (row.GetString("Type"), row.GetDateTimeOffset("At") ?? default, row.RowKey[EventPrefix.Length..]);
            if (latest is not { } best || at > best.At || (at == best.At && string.CompareOrdinal(eventId, best.EventId) < 0))
            {
                latest = (type, at, eventId);
            }
        }

        return latest;
    }

    /// <summary>Inserts the events of one TV: one insert, or one transaction; <c>false</c> when an event id is stored already.</summary>
    private static async Task<bool> TryInsertAsync(TableClient table, string partition, IReadOnlyList<TvEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count > 1)
        {
            return await TableTransactions.TrySubmitAsync(table, [.. events.Select(e => new TableTransactionAction(TableTransactionActionType.Add, Row(partition, e)))], cancellationToken);
        }

        var row = Row(partition, events[0]);
        TableLimits.EnsureEntity(row);
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>The stored type, time and alert id of those of the events whose id is in the TV's log (point reads).</summary>
    private static async Task<IReadOnlyDictionary<string, (string Type, DateTimeOffset? At, string? AlertId)>> FindStoredAsync(TableClient table, string partition, IReadOnlyList<TvEvent> events, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, (string Type, DateTimeOffset? At, string? AlertId)>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken }, async (e, ct) =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, EventPrefix + e.EventId, ["Type", "At", "AlertId"], ct);
            if (row.HasValue)
            {
                found[e.EventId] = (row.Value!.GetString("Type"), row.Value.GetDateTimeOffset("At"), row.Value.GetString("AlertId"));
            }
        });
        return found;
    }

    private static TableEntity Row(string partition, TvEvent e)
    {
        var row = new TableEntity(partition, EventPrefix + e.EventId) { ["Type"] = e.Type, ["At"] = e.At };
        if (e.Channel is not null)
        {
            row["Channel"] = e.Channel;
        }

        if (e.AlertId is not null)
        {
            row["AlertId"] = e.AlertId;
        }

        return row;
    }
}
