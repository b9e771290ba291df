using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// The TVs' days (docs/disaster.md "The two tables"), table <c>TvDays</c>: partition <c>&lt;municipality&gt;|&lt;yyyy-MM-dd&gt;|&lt;bucket&gt;</c>
/// (JST day; <see cref="Buckets"/> buckets by a fixed hash of the TV key, so that a city of a million TVs spreads its
/// day over 8 partitions instead of one hot one), row <c>&lt;platformId&gt;:&lt;tvId&gt;</c>, the <see cref="TvDay"/> in
/// one binary property. A day is read as all its buckets, in parallel. A merge is a
/// read-modify-write under the row's ETag, written in entity-group transactions of up to 100 TVs of one partition
/// and under 4 MiB as sent (<see cref="TableLimits.RequestSize"/>: a summary in base64; a full day is about 51 KB).
/// The rows this instance wrote last are kept in memory with their ETags (so an ingest costs no read); a row another
/// instance changed since fails its ETag, and its TVs are then read, merged and written one by one.
/// </summary>
internal sealed class TableTvDayStore(LazyTable table) : ITvDayStore
{
    /// <summary>Partitions per municipality and day (fixed: a TV's bucket must not move).</summary>
    public const int Buckets = 8;
    private const string SummaryProperty = "Day";
    private const int MaxCached = 100_000;
    private const int Parallelism = 8;

    /// <summary>
    /// The operations' bytes one transaction carries at most, counted as they are sent (<see cref="TableLimits.RequestSize"/>:
    /// a summary travels in base64, 4/3 of its size, beside its keys and its MIME part): under the 4 MiB with the batch's envelope.
    /// </summary>
    private const long TransactionBudget = TableLimits.MaxTransactionBytes - TableLimits.TransactionEnvelopeBytes - 1;
    private readonly ConcurrentDictionary<(string Partition, string Row), (byte[] Bytes, ETag ETag)> _written = new();

    public async Task MergeAsync(string municipalityCode, IReadOnlyList<TvEvent> events, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        if (_written.Count > MaxCached)
        {
            _written.Clear();
        }

        // Each partition's TVs in transactions of up to 100; all of them in parallel.
        var work = events.GroupBy(e => Partition(municipalityCode, TvDay.DayOf(e.At), e.Key), StringComparer.Ordinal)
            .SelectMany(partition => partition.GroupBy(e => e.Key.ToString(), StringComparer.Ordinal).Chunk(TableLimits.MaxTransactionActions)
                .Select(chunk => (Partition: partition.Key, Day: TvDay.DayOf(partition.First().At), Tvs: chunk)));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var (partition, day, chunk) = (item.Partition, item.Day, item.Tvs);
            var writes = new List<(string Row, byte[] Bytes, TableTransactionAction Action, IGrouping<string, TvEvent> Events)>();
            foreach (var tv in chunk)
            {
                var known = _written.TryGetValue((partition, tv.Key), out var cached);
                var summary = known ? TvDay.FromBytes(day, cached.Bytes) : new TvDay(day);
                if (tv.Aggregate(false, (changed, e) => summary.Add(e) | changed) || !known)
                {
                    var bytes = summary.ToBytes();
                    writes.Add((tv.Key, bytes, Write(partition, tv.Key, bytes, known ? cached.ETag : null), tv));
                }
            }

            foreach (var transaction in BySize(writes, w => TableLimits.RequestSize(w.Action)))
            {
                var etags = await TableTransactions.TrySubmitForETagsAsync(client, [.. transaction.Select(w => w.Action)], ct);
                if (etags is not null && etags.All(e => e is not null))
                {
                    for (var i = 0; i < transaction.Count; i++)
                    {
                        _written[(partition, transaction[i].Row)] = (transaction[i].Bytes, etags[i]!.Value);
                    }

                    continue;
                }

                // A row another writer changed (or created) since: read, merge and write each one under its ETag.
                foreach (var write in transaction)
                {
                    await MergeOneAsync(client, partition, day, write.Row, write.Events, ct);
                }
            }
        });
    }

    public async Task<IReadOnlyDictionary<TvKey, TvDay>> ListAsync(string municipalityCode, DateOnly day, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var buckets = new Dictionary<TvKey, TvDay>[Buckets];
        await Parallel.ForEachAsync(Enumerable.Range(0, Buckets), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (bucket, ct) =>
        {
            var days = new Dictionary<TvKey, TvDay>();
            await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition(municipalityCode, day, bucket)}"), maxPerPage: 1000, cancellationToken: ct))
            {
                days[TvKey.Parse(row.RowKey)] = TvDay.FromBytes(day, row.GetBinary(SummaryProperty));
            }

            buckets[bucket] = days;
        });

        var all = new Dictionary<TvKey, TvDay>(buckets.Sum(b => b.Count));
        foreach (var (tv, summary) in buckets.SelectMany(b => b))
        {
            all[tv] = summary;
        }

        return all;
    }

    /// <summary>The TV's bucket: FNV-1a of its key (stable across processes and versions, unlike <c>string.GetHashCode</c>).</summary>
    internal static int Bucket(TvKey tv)
    {
        var hash = 2166136261u;
        foreach (var c in tv.ToString())
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Buckets);
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

            var etags = await TableTransactions.TrySubmitForETagsAsync(client, [Write(partition, row, bytes, current.HasValue ? current.Value!.ETag : null)], cancellationToken);
            if (etags is [{ } etag])
            {
                _written[(partition, row)] = (bytes, etag);
                return;
            }
        }

        throw new RequestFailedException(412, "The TV's day kept changing under concurrent writers.");
    }

    /// <summary>
    /// Consecutive runs of <paramref name="writes"/> whose operations together stay within <see cref="TransactionBudget"/> as
    /// sent: a day is up to about 51 KB (68 KB in base64), so 100 of them (the most a transaction holds) would be over
    /// Table Storage's 4 MiB.
    /// </summary>
    private static IEnumerable<List<T>> BySize<T>(IEnumerable<T> writes, Func<T, long> size)
    {
        var (current, bytes) = (new List<T>(), 0L);
        foreach (var write in writes)
        {
            if (current.Count > 0 && bytes + size(write) > TransactionBudget)
            {
                yield return current;
                (current, bytes) = ([], 0L);
            }

            current.Add(write);
            bytes += size(write);
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }

    private static TableEntity Row(string partition, string row, byte[] bytes) => new(partition, row) { [SummaryProperty] = bytes };

    /// <summary>The summary written over the row read with <paramref name="etag"/>, or added when there was none.</summary>
    private static TableTransactionAction Write(string partition, string row, byte[] bytes, ETag? etag) => etag is { } read
        ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, Row(partition, row, bytes), read)
        : new TableTransactionAction(TableTransactionActionType.Add, Row(partition, row, bytes));

    private static string Partition(string municipalityCode, DateOnly day, TvKey tv) => Partition(municipalityCode, day, Bucket(tv));

    private static string Partition(string municipalityCode, DateOnly day, int bucket) =>
        municipalityCode + "|" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "|" + bucket.ToString("D2", CultureInfo.InvariantCulture);
}
