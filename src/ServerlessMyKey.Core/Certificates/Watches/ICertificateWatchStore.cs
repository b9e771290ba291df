using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Core.Certificates.Watches;

/// <summary>
/// Storage of watches, one partition per client: every read and write names the client, so one
/// client can never reach another's watches.
/// </summary>
public interface ICertificateWatchStore
{
    /// <summary>The client's watches of these certificates (by SHA-256 fingerprint), keyed by fingerprint.</summary>
    Task<IReadOnlyDictionary<string, CertificateWatch>> FindByFingerprintsAsync(string clientId, IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts the watches, each with its fingerprint index row; <c>false</c> when a fingerprint or id
    /// was taken meanwhile (earlier batches may have committed: the caller reads again and retries).
    /// </summary>
    Task<bool> TryAddAsync(string clientId, IReadOnlyList<CertificateWatch> watches, CancellationToken cancellationToken = default);

    Task<StoredResponse?> FindResponseAsync(string clientId, string idempotencyKeyHash, CancellationToken cancellationToken = default);

    /// <summary>Keeps a response under its idempotency key; <c>false</c> when one is kept already.</summary>
    Task<bool> TrySaveResponseAsync(string clientId, IdempotentWrite response, CancellationToken cancellationToken = default);

    Task<CertificateWatch?> FindAsync(string clientId, string watchId, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> watches after the id <paramref name="after"/>, by id.</summary>
    Task<WatchPage> ListAsync(string clientId, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="ListAsync"/>, only watches that are <see cref="CertificateWatch.IsDue"/> and whose id starts with <paramref name="shard"/>.</summary>
    Task<WatchPage> ListDueAsync(string clientId, char shard, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Deletes the watch and its index row; <c>false</c> when the client has no such watch.</summary>
    Task<bool> DeleteAsync(string clientId, string watchId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the state, status and notification fields of watches read before, each only if it did
    /// not change since (its <see cref="CertificateWatch.Version"/>); returns those written.
    /// </summary>
    Task<IReadOnlyList<CertificateWatch>> UpdateAsync(string clientId, IReadOnlyList<CertificateWatch> watches, CancellationToken cancellationToken = default);
}

/// <summary>A page of watches and the id to continue after (<c>null</c> at the end).</summary>
public sealed record WatchPage(IReadOnlyList<CertificateWatch> Watches, string? Next);
