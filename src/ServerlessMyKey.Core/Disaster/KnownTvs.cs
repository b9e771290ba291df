using System.Collections.Concurrent;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// The TV links the operation-log ingest looked up, kept 30 seconds (a platform posts a TV's events every
/// few seconds; 10,000 TVs would otherwise cost 10,000 reads a request). Pairing and unlinking forget the TV
/// at once in this instance; another instance of the app may still accept a just-unlinked TV's events for
/// at most <see cref="Lifetime"/> (they count from the link's <c>CountFrom</c> for a new resident anyway).
/// </summary>
public sealed class KnownTvs(IDisasterRegistry registry, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const int PointReadsUpTo = 32;
    private readonly ConcurrentDictionary<TvKey, (TvLink Link, DateTimeOffset Until)> _links = new();

    public async Task<TvLink?> FindAsync(TvKey tv, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_links.TryGetValue(tv, out var cached) && cached.Until > now)
        {
            return cached.Link;
        }

        var link = await registry.FindTvAsync(tv, cancellationToken);
        if (link is not null)
        {
            _links[tv] = (link, now + Lifetime);
        }
        else
        {
            _links.TryRemove(tv, out _);
        }

        return link;
    }

    /// <summary>
    /// The links of the platform's TVs among <paramref name="tvs"/> (one platform): cached ones as they are; the others
    /// read one by one when they are few, else with one range query of the platform's TV rows between the first and
    /// last of them (one request per 1,000 rows instead of one per TV).
    /// </summary>
    public async Task<IReadOnlyDictionary<TvKey, TvLink>> FindManyAsync(string platformId, IReadOnlyCollection<TvKey> tvs, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var found = new ConcurrentDictionary<TvKey, TvLink>();
        var missing = new List<TvKey>();
        foreach (var tv in tvs.Distinct())
        {
            if (_links.TryGetValue(tv, out var cached) && cached.Until > now)
            {
                found[tv] = cached.Link;
            }
            else
            {
                missing.Add(tv);
            }
        }

        if (missing.Count > PointReadsUpTo)
        {
            var links = (await registry.FindTvsOfPlatformAsync(platformId, missing, cancellationToken)).ToDictionary(l => l.Key);
            foreach (var tv in missing)
            {
                if (links.TryGetValue(tv, out var link))
                {
                    found[tv] = link;
                    _links[tv] = (link, now + Lifetime);
                }
                else
                {
                    _links.TryRemove(tv, out _);
                }
            }
        }
        else
        {
            await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (tv, ct) =>
            {
                if (await FindAsync(tv, ct) is { } link)
                {
                    found[tv] = link;
                }
            });
        }

        return found;
    }

    /// <summary>The TV's link changed (unlinked, linked again): the next lookup reads it.</summary>
    public void Forget(TvKey tv) => _links.TryRemove(tv, out _);
}
