using System.Security.Cryptography;

namespace ServerlessMyKey.Core.Keys;

/// <summary>
/// The secret key of a keyed hash (HMAC-SHA-256) over identifiers the service must find again but never store or let
/// anyone test guesses of: the cardholder identity (<c>Auth/CardholderIdentities</c>), the insurance number index and
/// patient-link codes (<c>Medical/MedicalKeyedHashes</c>). 32 random bytes, created on first use, stored wrapped by the
/// <c>data-encryption</c> key in one insert-only row (<see cref="IKeyedHashKeyRow"/>), unwrapped once per process and
/// then kept in memory. Of two processes creating it at once, both end up with the one that was stored.
/// </summary>
public sealed class KeyedHashKey(IKeyedHashKeyRow row, IKeyService keys)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _key;

    /// <summary>The key, unwrapped (created and stored first if there is none yet).</summary>
    public async Task<byte[]> GetAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _key) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_key is not null)
            {
                return _key;
            }

            var wrapped = await row.FindAsync(cancellationToken) ?? await CreateAsync(cancellationToken);
            var key = await keys.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped, cancellationToken);
            Volatile.Write(ref _key, key);
            return key;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<WrappedKey> CreateAsync(CancellationToken cancellationToken)
    {
        var fresh = RandomNumberGenerator.GetBytes(32);
        WrappedKey candidate;
        try
        {
            candidate = await keys.WrapKeyAsync(ServiceKeyNames.DataEncryption, fresh, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fresh);
        }

        return await row.GetOrAddAsync(candidate, cancellationToken);
    }
}

/// <summary>Where a <see cref="KeyedHashKey"/> is kept, wrapped: one row, written only if absent.</summary>
public interface IKeyedHashKeyRow
{
    /// <summary>The stored key, or <c>null</c> before its first use.</summary>
    Task<WrappedKey?> FindAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="candidate"/> if no key is stored (insert-only); returns the key on record: the candidate, or the one another writer stored first.</summary>
    Task<WrappedKey> GetOrAddAsync(WrappedKey candidate, CancellationToken cancellationToken = default);
}
