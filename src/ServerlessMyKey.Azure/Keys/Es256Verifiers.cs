using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ServerlessMyKey.Azure.Keys;

/// <summary>
/// Imported P-256 public keys of the token-signing key versions, kept for the process's life, each with a
/// small pool of instances so that concurrent verifications never share one. Only the service's own key
/// versions reach here (the key services verify only for a version they hold), so the set is small; past
/// <see cref="MaxKeys"/> a key is imported for the one call instead of kept.
/// </summary>
internal static class Es256Verifiers
{
    private const int MaxKeys = 32;
    private const int MaxPooledPerKey = 16;

    private static readonly ConcurrentDictionary<string, ConcurrentQueue<ECDsa>> Pools = new(StringComparer.Ordinal);

    public static bool Verify(ECParameters publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var id = Convert.ToHexString(publicKey.Q.X ?? []) + Convert.ToHexString(publicKey.Q.Y ?? []);
        var pool = Pools.TryGetValue(id, out var existing) ? existing : Pools.Count < MaxKeys ? Pools.GetOrAdd(id, _ => new ConcurrentQueue<ECDsa>()) : null;
        var ecdsa = pool is not null && pool.TryDequeue(out var pooled) ? pooled : Import(publicKey);
        try
        {
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            if (pool is not null && pool.Count < MaxPooledPerKey)
            {
                pool.Enqueue(ecdsa);
            }
            else
            {
                ecdsa.Dispose();
            }
        }
    }

    private static ECDsa Import(ECParameters publicKey) =>
        ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = publicKey.Q });
}
