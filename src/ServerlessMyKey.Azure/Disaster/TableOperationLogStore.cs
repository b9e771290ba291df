using System.Globalization;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// TV operation logs (docs/disaster.md), table <c>TvOperationLogs</c>: partition <c>&lt;platformId&gt;:&lt;tvId&gt;</c> (<see cref="TvKey"/>, one TV: no
/// hot partition, however many TVs), and per event, in the same entity-group transaction, <c>e|&lt;eventId&gt;</c>
/// (insert-only: an event id is stored once per TV, whatever its time), <c>t|&lt;inverted ticks&gt;|&lt;eventId&gt;</c>
/// (newest first, for "the latest event before") and for power events <c>p|&lt;inverted ticks&gt;|&lt;eventId&gt;</c>
/// (so "was the TV on at T" is one query whatever the volume of other events). Up to 100 rows per transaction;
/// the transactions of a request run in parallel, across partitions.
/// </summary>
internal sealed class TableOperationLogStore(LazyTable logs) : IOperationLogStore
{
    private const int Parallelism = 16;

    public async Task<(int Accepted, int Duplicates, IReadOnlyList<TvEvent> Stored)> AppendAsync(IReadOnlyList<TvEvent> events, CancellationToken cancellationToken = default)
    {
        var logTable = await logs.GetAsync(cancellationToken);
        var accepted = 0;
        var duplicates = 0;
        var stored = new System.Collections.Concurrent.ConcurrentBag<TvEvent>();
        var groups = events.GroupBy(e => e.Key).SelectMany(g => Transactions(g.Key.ToString(), g));
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            if (await TableTransactions.TrySubmitAsync(logTable, [.. group.Events.SelectMany(e => Rows(group.Partition, e))], ct))
            {
                Interlocked.Add(ref accepted, group.Events.Count);
                group.Events.ForEach(stored.Add);
                return;
            }

            // Some event ids were stored before: each event on its own, the stored ones counted as duplicates.
            foreach (var e in group.Events)
            {
                if (await TableTransactions.TrySubmitAsync(logTable, [.. Rows(group.Partition, e)], ct))
                {
                    Interlocked.Increment(ref accepted);
                    stored.Add(e);
                    continue;
                }

                Interlocked.Increment(ref duplicates);
                var first = await logTable.GetEntityIfExistsAsync<TableEntity>(group.Partition, "e|" + e.EventId, cancellationToken: ct);
                if (first.HasValue && first.Value!.GetString("Type") == e.Type && first.Value.GetDateTimeOffset("At") == e.At)
                {
                    stored.Add(e);
                }
            }
        });

        return (accepted, duplicates, [.. stored]);
    }

    public async Task<TvPowerEvent?> LastPowerEventAsync(TvKey tv, DateTimeOffset at, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        var client = await logs.GetAsync(cancellationToken);
        var from = "p|" + Inverted(at);
        var to = "p|" + Inverted(notBefore) + "|~";
        var row = await FirstAsync(client, TableClient.CreateQueryFilter($"PartitionKey eq {tv.ToString()} and RowKey ge {from} and RowKey le {to}"), cancellationToken);
        return row is null ? null : new TvPowerEvent(tv, row.GetString("Type"), row.GetDateTimeOffset("At") ?? default);
    }

    public async Task<DateTimeOffset?> LastEventAtAsync(TvKey tv, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        if (from > to)
        {
            return null;
        }

        var client = await logs.GetAsync(cancellationToken);
        var newest = "t|" + Inverted(to);
        var oldest = "t|" + Inverted(from) + "|~";
        var row = await FirstAsync(client, TableClient.CreateQueryFilter($"PartitionKey eq {tv.ToString()} and RowKey ge {newest} and RowKey le {oldest}"), cancellationToken);
        return row?.GetDateTimeOffset("At");
    }

    /// <summary>One TV's events cut into transactions of at most 100 rows (2 rows an event, 3 for a power event).</summary>
    private static IEnumerable<(string Partition, List<TvEvent> Events)> Transactions(string partition, IEnumerable<TvEvent> events)
    {
        var current = new List<TvEvent>();
        var rows = 0;
        foreach (var e in events)
        {
            var size = RowCount(e);
            if (rows + size > TableLimits.MaxTransactionActions)
            {
                yield return (partition, current);
                current = [];
                rows = 0;
            }

            current.Add(e);
            rows += size;
        }

        if (current.Count > 0)
        {
            yield return (partition, current);
        }
    }

    private static int RowCount(TvEvent e) => IsPower(e) ? 3 : 2;

    private static bool IsPower(TvEvent e) => e.Type is TvEventTypes.PowerOn or TvEventTypes.PowerOff;

    private static IEnumerable<TableTransactionAction> Rows(string partition, TvEvent e)
    {
        var data = new TableEntity(partition, "e|" + e.EventId)
        {
            ["Type"] = e.Type,
            ["At"] = e.At,
            ["PlatformId"] = e.PlatformId,
            ["Channel"] = e.Channel,
            ["AlertId"] = e.AlertId,
        };
        yield return new TableTransactionAction(TableTransactionActionType.Add, data);
        yield return new TableTransactionAction(TableTransactionActionType.Add,
            new TableEntity(partition, "t|" + Inverted(e.At) + "|" + e.EventId) { ["Type"] = e.Type, ["At"] = e.At });
        if (IsPower(e))
        {
            yield return new TableTransactionAction(TableTransactionActionType.Add,
                new TableEntity(partition, "p|" + Inverted(e.At) + "|" + e.EventId) { ["Type"] = e.Type, ["At"] = e.At });
        }
    }

    private static async Task<TableEntity?> FirstAsync(TableClient client, string filter, CancellationToken cancellationToken)
    {
        await foreach (var row in client.QueryAsync<TableEntity>(filter, maxPerPage: 1, cancellationToken: cancellationToken))
        {
            return row;
        }

        return null;
    }

    internal static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
