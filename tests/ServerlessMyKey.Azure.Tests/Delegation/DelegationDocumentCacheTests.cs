using ServerlessMyKey.Azure.Delegation;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Delegation;

/// <summary>Reading a delegation again does not unwrap its data key again, until its envelope changes.</summary>
public sealed class DelegationDocumentCacheTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private readonly TemporaryDirectory _folder = new();
    private readonly CountingKeys _keys;
    private readonly DelegationTables _tables;

    public DelegationDocumentCacheTests(AzuriteFixture azurite)
    {
        _keys = new CountingKeys(new LocalKeyFileService(_folder.Path));
        _tables = new DelegationTables(azurite.ConnectionString, _keys);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Repeated_reads_unwrap_once_and_a_status_change_unwraps_the_new_envelope()
    {
        using var cache = new DelegationDocumentCache();
        var store = _tables.Store(cache);
        var record = await DelegationTables.PendingAsync(store, Now);
        var afterFirstRead = _keys.Unwraps;

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(record.CanonicalDocument, (await store.FindAsync(record.DelegationId))!.CanonicalDocument);
        }

        Assert.Equal(afterFirstRead, _keys.Unwraps);

        // Every update re-encrypts: the new envelope is read (and unwrapped) once, and is what is served.
        Assert.True(await store.TryUpdateAsync(record with { Status = DelegationStatus.Active }, new DelegationEvent(Now, "accepted")));
        var updated = await store.FindAsync(record.DelegationId);
        await store.FindAsync(record.DelegationId);
        Assert.Equal(DelegationStatus.Active, updated!.Status);
        Assert.Equal(record.CanonicalDocument, updated.CanonicalDocument);
        Assert.Equal(afterFirstRead + 1, _keys.Unwraps);
    }

    [Fact]
    public async Task Another_process_without_the_cache_entry_unwraps_for_itself()
    {
        var record = await DelegationTables.PendingAsync(_tables.Store(), Now);
        var before = _keys.Unwraps;

        await _tables.Store(new DelegationDocumentCache()).FindAsync(record.DelegationId);

        Assert.Equal(before + 1, _keys.Unwraps);
    }

    /// <summary>The local key service, counting unwraps (each is a Key Vault call in Azure).</summary>
    private sealed class CountingKeys(IKeyService inner) : IKeyService
    {
        private int _unwraps;

        public int Unwraps => Volatile.Read(ref _unwraps);

        public Task<KeySignature> SignAsync(string keyName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => inner.SignAsync(keyName, data, cancellationToken);

        public Task<bool> VerifyAsync(string keyName, string keyId, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default) =>
            inner.VerifyAsync(keyName, keyId, data, signature, cancellationToken);

        public Task<PublicJsonWebKey> GetPublicKeyAsync(string keyName, CancellationToken cancellationToken = default) => inner.GetPublicKeyAsync(keyName, cancellationToken);

        public Task<WrappedKey> WrapKeyAsync(string keyName, ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken = default) => inner.WrapKeyAsync(keyName, dataKey, cancellationToken);

        public Task<byte[]> UnwrapKeyAsync(string keyName, WrappedKey wrappedKey, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _unwraps);
            return inner.UnwrapKeyAsync(keyName, wrappedKey, cancellationToken);
        }
    }
}
