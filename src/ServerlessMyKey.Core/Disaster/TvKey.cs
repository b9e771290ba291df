using static ServerlessMyKey.Core.Validation.RequestFields;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// Who a TV is: a TV id is its platform's own (two platforms may both have a <c>tv-0001</c>), so a TV is its
/// platform and its id. Every row of a TV (registry, deliveries, operation logs, watching) is keyed by
/// <see cref="ToString"/>, <c>&lt;platformId&gt;:&lt;tvId&gt;</c>, built here only. Both parts are ids
/// (<c>A–Z a–z 0–9 . _ -</c>), so the key is unambiguous and safe in Table keys.
/// </summary>
public readonly record struct TvKey
{
    private const char Separator = ':';

    public TvKey(string platformId, string tvId)
    {
        PlatformId = IsId(platformId) ? platformId : throw new ArgumentException("A platform id is 1–64 letters, digits, '.', '_' or '-'.", nameof(platformId));
        TvId = IsId(tvId) ? tvId : throw new ArgumentException("A TV id is 1–64 letters, digits, '.', '_' or '-'.", nameof(tvId));
    }

    public string PlatformId { get; }

    public string TvId { get; }

    /// <summary>The storage key, <c>&lt;platformId&gt;:&lt;tvId&gt;</c>.</summary>
    public override string ToString() => PlatformId + Separator + TvId;

    /// <summary>Reads a key written by <see cref="ToString"/>; <see cref="FormatException"/> when it is not one.</summary>
    public static TvKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var separator = key.IndexOf(Separator, StringComparison.Ordinal);
        return separator > 0 && IsId(key[..separator]) && IsId(key[(separator + 1)..])
            ? new TvKey(key[..separator], key[(separator + 1)..])
            : throw new FormatException("Not a TV key (<platformId>:<tvId>).");
    }
}
