using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace ServerlessMyKey.Azure.Delegation;

/// <summary>
/// Decrypted delegation documents of this process, by delegation id and SHA-256 of the stored envelope:
/// each read would otherwise unwrap the document's data key (a Key Vault call in Azure), and an act
/// verification reads the delegation and every parent. A changed envelope (every status change
/// re-encrypts) is a new key, so nothing stale is served. Bounded (<see cref="Capacity"/> entries) and
/// short-lived (<see cref="Lifetime"/>), since the documents hold names.
/// </summary>
internal sealed class DelegationDocumentCache : IDisposable
{
    public const int Capacity = 1_000;
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _documents = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public async Task<string> GetOrDecryptAsync(string delegationId, string envelope, Func<Task<string>> decrypt)
    {
        ArgumentNullException.ThrowIfNull(decrypt);
        var key = delegationId + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(envelope)));
        if (_documents.TryGetValue(key, out string? document) && document is not null)
        {
            return document;
        }

        document = await decrypt();
        _documents.Set(key, document, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        return document;
    }

    public void Dispose() => _documents.Dispose();
}
