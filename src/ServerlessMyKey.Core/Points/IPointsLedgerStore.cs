using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Core.Points;

/// <summary>
/// Storage of points accounts. All rows of one account live together, so that one operation —
/// its entries, the account's new state and its idempotent response — is written atomically, and
/// only when the account is still as it was read.
/// </summary>
public interface IPointsLedgerStore
{
    /// <summary>The account (an empty one if it has no rows) and, when asked, the response stored under an idempotency key.</summary>
    Task<PointsLedgerSnapshot> ReadAsync(string myKeyId, string? idempotencyKeyHash = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends the change's entries, replaces the account state and inserts the response under its
    /// key, all or nothing; <c>false</c> when the account changed since <paramref name="snapshot"/>
    /// was read (or the key was used meanwhile): read again and retry.
    /// </summary>
    Task<bool> TryCommitAsync(PointsLedgerSnapshot snapshot, PointsChange change, IdempotentWrite? response = null, CancellationToken cancellationToken = default);

    /// <summary>Entries newest first, those older than <paramref name="beforeSequence"/> when given.</summary>
    Task<PointsEntryPage> ReadEntriesAsync(string myKeyId, long? beforeSequence, int limit, CancellationToken cancellationToken = default);
}

/// <summary>An account as read, with what the store needs to detect a concurrent change.</summary>
public sealed record PointsLedgerSnapshot(PointsAccount Account, string? ConcurrencyToken, StoredResponse? StoredResponse);

public sealed record PointsEntryPage(IReadOnlyList<PointsEntry> Entries, bool HasMore);

/// <summary>Index of accounts with due timer work, so timers read only what is due.</summary>
public interface IPointsDueIndex
{
    /// <summary>Records due work; written before the ledger write it belongs to (a stray item is harmless).</summary>
    Task AddAsync(IReadOnlyCollection<PointsDueItem> items, CancellationToken cancellationToken = default);

    /// <summary>Items of <paramref name="kind"/> due at or before <paramref name="now"/>, oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<PointsDueItem>> ListDueAsync(PointsDueKind kind, DateTimeOffset now, int max, CancellationToken cancellationToken = default);

    Task RemoveAsync(PointsDueItem item, CancellationToken cancellationToken = default);
}

/// <summary>Merchants, registered once and never changed (so callers may cache them).</summary>
public interface IMerchantStore
{
    Task<Merchant?> FindAsync(string merchantId, CancellationToken cancellationToken = default);

    /// <summary>The response stored under an idempotency key of a registration, if any.</summary>
    Task<StoredResponse?> FindResponseAsync(string idempotencyKeyHash, CancellationToken cancellationToken = default);

    /// <summary>Inserts the merchant (and the response under its key) atomically; <c>false</c> when the id or key was taken meanwhile.</summary>
    Task<bool> TryAddAsync(Merchant merchant, IdempotentWrite? response = null, CancellationToken cancellationToken = default);
}
