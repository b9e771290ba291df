using System.Globalization;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Points;

namespace ServerlessMyKey.Azure.Points;

/// <summary>
/// Due timer work: PartitionKey <c>&lt;kind&gt;-&lt;shard&gt;</c> (16 shards by MyKey ID, so no partition
/// takes every credit), RowKey <c>&lt;due ticks, 19 digits&gt;|&lt;MyKey ID&gt;</c>, so a timer reads
/// what is due with one range query per shard. Rows are upserted (idempotent) and deleted when done.
/// </summary>
internal sealed class TablePointsDueIndex(LazyTable table) : IPointsDueIndex
{
    internal const int Shards = 16;

    public async Task AddAsync(IReadOnlyCollection<PointsDueItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var client = await table.GetAsync(cancellationToken);
        await Task.WhenAll(items.Select(item => client.UpsertEntityAsync(new TableEntity(PartitionKey(item.Kind, item.MyKeyId), RowKey(item)), TableUpdateMode.Replace, cancellationToken)));
    }

    public async Task<IReadOnlyList<PointsDueItem>> ListDueAsync(PointsDueKind kind, DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var client = await table.GetAsync(cancellationToken);
        var upTo = Ticks(now.UtcTicks + 1);
        var perShard = await Task.WhenAll(Enumerable.Range(0, Shards).Select(async shard =>
        {
            var items = new List<PointsDueItem>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ShardKey(kind, shard)} and RowKey lt {upTo}");
            await foreach (var row in client.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
            {
                items.Add(Parse(kind, row.RowKey));
                if (items.Count >= max)
                {
                    break;
                }
            }

            return items;
        }));
        return [.. perShard.SelectMany(i => i).OrderBy(i => i.DueAt).Take(max)];
    }

    public async Task RemoveAsync(PointsDueItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var client = await table.GetAsync(cancellationToken);
        try
        {
            await client.DeleteEntityAsync(PartitionKey(item.Kind, item.MyKeyId), RowKey(item), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    private static string PartitionKey(PointsDueKind kind, string myKeyId)
    {
        // A stable hash (string.GetHashCode differs between processes).
        var hash = 0u;
        foreach (var c in myKeyId)
        {
            hash = (hash * 31) + c;
        }

        return ShardKey(kind, (int)(hash % Shards));
    }

    private static string ShardKey(PointsDueKind kind, int shard) => kind.ToString() + "-" + shard.ToString("x", CultureInfo.InvariantCulture);

    private static string RowKey(PointsDueItem item) => Ticks(item.DueAt.UtcTicks) + "|" + item.MyKeyId;

    private static string Ticks(long ticks) => ticks.ToString("D19", CultureInfo.InvariantCulture);

    private static PointsDueItem Parse(PointsDueKind kind, string rowKey)
    {
        var separator = rowKey.IndexOf('|', StringComparison.Ordinal);
        var ticks = long.Parse(rowKey.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture);
        return new PointsDueItem(rowKey[(separator + 1)..], kind, new DateTimeOffset(ticks, TimeSpan.Zero));
    }
}
