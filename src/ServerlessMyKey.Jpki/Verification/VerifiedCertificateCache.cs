using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Verification;

/// <summary>
/// A bounded, thread-safe LRU of what never changes for given certificate bytes: which pinned root's key
/// verified its signature, and its public key. Keyed by the SHA-256 of the TBSCertificate (which the chain
/// signature check hashes anyway); an entry answers only a certificate with the same signature algorithm and
/// signature value (<see cref="Entry.Signs"/>), so it stands for exactly the certificate whose signature was verified.
/// </summary>
/// <remarks>
/// Repeat logins of the same card are the common case; they then skip the chain signature and the key
/// import. Nothing time- or revocation-dependent is kept: profile, root validity, validity period and
/// revocation are checked on every verification. Only certificates whose signature a root verified
/// are added, so forged or garbage certificates cannot fill the cache. One cache belongs to one
/// verifier and therefore to one immutable set of trust anchors.
/// </remarks>
internal sealed class VerifiedCertificateCache
{
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<(string Fingerprint, Entry Entry)>> _entries;
    private readonly LinkedList<(string Fingerprint, Entry Entry)> _recency = new();

    public VerifiedCertificateCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
        _entries = new Dictionary<string, LinkedListNode<(string, Entry)>>(Math.Min(capacity, 1024), StringComparer.Ordinal);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The entry for the certificate with this SHA-256 fingerprint, marked as most recently used.</summary>
    public Entry? Get(string fingerprint)
    {
        if (_capacity == 0)
        {
            return null;
        }

        lock (_lock)
        {
            if (!_entries.TryGetValue(fingerprint, out var node))
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Entry;
        }
    }

    /// <summary>Remembers <paramref name="entry"/>, evicting the least recently used entry when full; an existing entry wins.</summary>
    public Entry Add(string fingerprint, Entry entry)
    {
        if (_capacity == 0)
        {
            return entry;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(fingerprint, out var existing))
            {
                return existing.Value.Entry;
            }

            if (_entries.Count >= _capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _entries.Remove(last.Value.Fingerprint);
            }

            _entries[fingerprint] = _recency.AddFirst((fingerprint, entry));
            return entry;
        }
    }

    /// <summary>The cache key of a certificate: its TBSCertificate's SHA-256, lower-case hex.</summary>
    public static string KeyOf(JpkiCertificate certificate) => Convert.ToHexStringLower(certificate.TbsSha256);

    /// <param name="Issuer">The root whose key verified the certificate's signature.</param>
    /// <param name="Key">The certificate's public key.</param>
    /// <param name="SignatureAlgorithm">The algorithm of the verified signature.</param>
    /// <param name="Signature">The verified signature value.</param>
    internal sealed record Entry(JpkiTrustAnchor Issuer, RsaPublicKey Key, string SignatureAlgorithm, ReadOnlyMemory<byte> Signature)
    {
        public Entry(JpkiTrustAnchor issuer, JpkiCertificate certificate)
            : this(issuer, certificate.CreateRsaPublicKey(), certificate.SignatureAlgorithm, certificate.Signature.ToArray())
        {
        }

        /// <summary>Whether this entry's verified signature is <paramref name="certificate"/>'s (same algorithm, same value).</summary>
        public bool Signs(JpkiCertificate certificate) =>
            SignatureAlgorithm == certificate.SignatureAlgorithm && Signature.Span.SequenceEqual(certificate.Signature.Span);
    }
}
