using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// The TVs' days (docs/disaster.md "The two tables"), table <c>TvDays</c>: partition <c>&lt;municipality&gt;|&lt;yyyy-MM-dd&gt;</c>
/// (JST), row <c>&lt;platformId&gt;:&lt;tvId&gt;</c>, the <see cref="TvDay"/> in one binary property. A merge is a
/// read-modify-write under the row's ETag, written in entity-group transactions of up to 100 TVs of one partition.
/// The rows this instance wrote last are kept in memory with their ETags (so an ingest costs no read); a row another
/// instance changed since fails its ETag, and its TVs are then read, merged and written one by one.
/// </summary>
internal sealed class TableTvDayStore(LazyTable table) : ITvDayStore
{
    private const string SummaryProperty = "Day";
    private const int MaxCached = 100_000;
    private readonly ConcurrentDictionary<(string Partition, string Row), (byte[] Bytes, ETag ETag)> _written = new();

    public async Task MergeAsync(string municipalityCode, IReadOnlyList<TvEvent> events, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        if (_written.Count > MaxCached)
        {
            _written.Clear();
        }

        foreach (var partition in events.GroupBy(e => Partition(municipalityCode, TvDay.DayOf(e.At)), StringComparer.Ordinal))
        {
            var day = TvDay.DayOf(partition.First().At);
            var tvs = partition.GroupBy(e => e.Key.ToString(), StringComparer.Ordinal).ToList();
            await Parallel.ForEachAsync(tvs.Chunk(TableLimits.MaxTransactionActions), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, ct) =>
            {
                var writes = new List<(string Row, byte[] Bytes, ETag? ETag, IGrouping<string, TvEvent> Events)>();
                foreach (var tv in chunk)
                {
                    var known = _written.TryGetValue((partition.Key, tv.Key), out var cached);
                    var summary = known ? TvDay.FromBytes(day, cached.Bytes) : new TvDay(day);
                    if (tv.Aggregate(false, (changed, e) => summary.Add(e) | changed) || !known)
                    {
                        writes.Add((tv.Key, summary.ToBytes(), known ? cached.ETag : null, tv));
                    }
                }

                if (writes.Count == 0)
                {
                    return;
                }

                var etags = await TableTransactions.TrySubmitForETagsAsync(client, [.. writes.Select(w => w.ETag is { } etag
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, Row(partition.Key, w.Row, w.Bytes), etag)
                    : new TableTransactionAction(TableTransactionActionType.Add, Row(partition.Key, w.Row, w.Bytes)))], ct);
                if (etags is not null && etags.All(e => e is not null))
                {
                    for (var i = 0; i < writes.Count; i++)
                    {
                        _written[(partition.Key, writes[i].Row)] = (writes[i].Bytes, etags[i]!.Value);
                    }

                    return;
                }

                // A row another writer changed (or created) since: read, merge and write each one under its ETag.
                foreach (var write in writes)
                {
                    await MergeOneAsync(client, partition.Key, day, write.Row, write.Events, ct);
                }
            });
        }
    }

    public async Task<IReadOnlyDictionary<TvKey, TvDay>> ListAsync(string municipalityCode, DateOnly day, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var days = new Dictionary<TvKey, TvDay>();
        await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition(municipalityCode, day)}"), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            days[TvKey.Parse(row.RowKey)] = TvDay.FromBytes(day, row.GetBinary(SummaryProperty));
        }

        return days;
    }

    private async Task MergeOneAsync(TableClient client, string partition, DateOnly day, string row, IEnumerable<TvEvent> events, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            var current = await client.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
            var summary = current.HasValue ? TvDay.FromBytes(day, current.Value!.GetBinary(SummaryProperty)) : new TvDay(day);
            var changed = events.Aggregate(false, (changed, e) => summary.Add(e) | changed);
            var bytes = summary.ToBytes();
            if (current.HasValue && !changed)
            {
                _written[(partition, row)] = (bytes, current.Value!.ETag);
                return;
            }

            var etags = await TableTransactions.TrySubmitForETagsAsync(client, [current.HasValue
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, Row(partition, row, bytes), current.Value!.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, Row(partition, row, bytes))], cancellationToken);
            if (etags is [{ } etag])
            {
                _written[(partition, row)] = (bytes, etag);
                return;
            }
        }

        throw new RequestFailedException(412, "The TV's day kept changing under concurrent writers.");
    }

    private static TableEntity Row(string partition, string row, byte[] bytes) => new(partition, row) { [SummaryProperty] = bytes };

    private static string Partition(string municipalityCode, DateOnly day) =>
        municipalityCode + "|" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
