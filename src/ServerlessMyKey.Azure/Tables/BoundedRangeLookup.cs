using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// Finds the rows of many keys at once without ever reading without bound: a few keys are point reads in parallel; more
/// are one range query from the lowest to the highest of them, which stops after 4 rows per wanted key (at least
/// <c>minimumScan</c>) — the range may hold many rows nobody asked for — and the wanted keys beyond where it stopped are
/// point reads in parallel. At most 16 reads at a time.
/// </summary>
internal static class BoundedRangeLookup
{
    private const int Parallelism = 16;

    /// <param name="keys">The wanted keys (compared ordinally, as Table Storage orders them).</param>
    /// <param name="range">The rows from the first to the last key (both included), in key order.</param>
    /// <param name="keyOf">The key of a row the range returned.</param>
    /// <param name="read">A point read of one key (<c>null</c> when there is no row).</param>
    /// <param name="pointReadsUpTo">Up to this many keys are point reads only.</param>
    /// <param name="minimumScan">Rows the range reads at least before it stops.</param>
    public static async Task<IReadOnlyList<TableEntity>> FindAsync(
        IReadOnlyCollection<string> keys,
        Func<string, string, IAsyncEnumerable<TableEntity>> range,
        Func<TableEntity, string> keyOf,
        Func<string, CancellationToken, Task<TableEntity?>> read,
        int pointReadsUpTo,
        int minimumScan,
        CancellationToken cancellationToken)
    {
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        var found = new ConcurrentBag<TableEntity>();
        IEnumerable<string> rest = wanted;
        if (wanted.Count > pointReadsUpTo)
        {
            var scanLimit = Math.Max(4 * wanted.Count, minimumScan);
            var scanned = 0;
            string? reached = null;
            await foreach (var row in range(wanted.Min(StringComparer.Ordinal)!, wanted.Max(StringComparer.Ordinal)!).WithCancellation(cancellationToken))
            {
                reached = keyOf(row);
                if (wanted.Contains(reached))
                {
                    found.Add(row);
                }

                if (++scanned >= scanLimit)
                {
                    break;
                }
            }

            rest = scanned >= scanLimit ? wanted.Where(key => string.CompareOrdinal(key, reached) > 0) : [];
        }

        await Parallel.ForEachAsync(rest, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            if (await read(key, ct) is { } row)
            {
                found.Add(row);
            }
        });
        return [.. found];
    }
}
