using System.Globalization;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// TV operation logs (docs/disaster.md). Table <c>TvOperationLogs</c>: partition <c>&lt;tvId&gt;|&lt;yyyyMMdd
/// JST&gt;</c> (one TV's day: no hot partition, however many TVs), two rows per event written in the same
/// entity-group transaction — <c>e|&lt;eventId&gt;</c> (insert-only, so an event id is stored once) and
/// <c>t|&lt;inverted ticks&gt;|&lt;eventId&gt;</c> (newest first, for "the latest event before"). Up to 50
/// events per transaction (100 operations); the transactions of a request run in parallel. Table
/// <c>TvPowerEvents</c>: partition <c>&lt;tvId&gt;</c>, rows <c>p|&lt;inverted ticks&gt;|&lt;eventId&gt;</c> for
/// power_on/power_off only, so the TV's state at any time is one query.
/// </summary>
internal sealed class TableOperationLogStore(LazyTable logs, LazyTable power) : IOperationLogStore
{
    private const int EventsPerTransaction = TableLimits.MaxTransactionActions / 2;
    private const int Parallelism = 16;

    public async Task<(int Accepted, int Duplicates)> AppendAsync(IReadOnlyList<TvEvent> events, CancellationToken cancellationToken = default)
    {
        var logTable = await logs.GetAsync(cancellationToken);
        var accepted = 0;
        var duplicates = 0;
        var groups = events.GroupBy(e => e.TvId + "|" + JapanTime.DayKey(e.At), StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(EventsPerTransaction).Select(chunk => (Partition: g.Key, Events: chunk)));
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            if (await TableTransactions.TrySubmitAsync(logTable, [.. group.Events.SelectMany(e => Rows(group.Partition, e))], ct))
            {
                Interlocked.Add(ref accepted, group.Events.Length);
                return;
            }

            // Some event ids were stored before: each event on its own, the stored ones counted as duplicates.
            foreach (var e in group.Events)
            {
                if (await TableTransactions.TrySubmitAsync(logTable, [.. Rows(group.Partition, e)], ct))
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref duplicates);
                }
            }
        });

        var powerTable = await power.GetAsync(cancellationToken);
        var powerBatches = events.Where(e => e.Type is TvEventTypes.PowerOn or TvEventTypes.PowerOff)
            .GroupBy(e => e.TvId, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(TableLimits.MaxTransactionActions));
        await Parallel.ForEachAsync(powerBatches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            // Upserts: a repeated event writes the same row again.
            List<TableTransactionAction> actions = [.. batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(e.TvId, "p|" + Inverted(e.At) + "|" + e.EventId) { ["Type"] = e.Type, ["At"] = e.At }))];
            TableLimits.EnsureTransaction(actions);
            await powerTable.SubmitTransactionAsync(actions, ct);
        });

        return (accepted, duplicates);
    }

    public async Task<TvPowerEvent?> LastPowerEventAsync(string tvId, DateTimeOffset at, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        var client = await power.GetAsync(cancellationToken);
        var from = "p|" + Inverted(at);
        var to = "p|" + Inverted(notBefore) + "|~";
        var row = await FirstAsync(client, TableClient.CreateQueryFilter($"PartitionKey eq {tvId} and RowKey ge {from} and RowKey le {to}"), cancellationToken);
        return row is null ? null : new TvPowerEvent(tvId, row.GetString("Type"), row.GetDateTimeOffset("At") ?? default);
    }

    public async Task<DateTimeOffset?> LastEventAtAsync(string tvId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        if (from > to)
        {
            return null;
        }

        var client = await logs.GetAsync(cancellationToken);
        var newest = "t|" + Inverted(to);
        var oldest = "t|" + Inverted(from) + "|~";
        for (var day = to.ToOffset(JapanTime.Offset).Date; day >= from.ToOffset(JapanTime.Offset).Date; day = day.AddDays(-1))
        {
            var partition = tvId + "|" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var row = await FirstAsync(client, TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {newest} and RowKey le {oldest}"), cancellationToken);
            if (row is not null)
            {
                return row.GetDateTimeOffset("At");
            }
        }

        return null;
    }

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
