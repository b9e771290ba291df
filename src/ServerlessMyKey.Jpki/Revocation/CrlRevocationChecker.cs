using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>What one CRL source holds, for health checks and diagnostics. No certificate contents.</summary>
public sealed record CrlSourceStatus(
    string Source,
    string? Version,
    string? IssuerFingerprint,
    DateTimeOffset? ThisUpdate,
    DateTimeOffset? NextUpdate,
    int RevokedCount,
    long IndexBytes,
    DateTimeOffset? LoadedAt,
    string? Error,
    string? IssuerKeyId = null,
    JpkiCertificateKind? Kind = null);

/// <summary>
/// Revocation by CRLs (RFC 5280 §6.3) for the roots in the anchor set: per issuing root, the newest
/// CRL of each distribution point (a complete CRL, and CRLs partitioned by issuingDistributionPoint).
/// </summary>
/// <remarks>
/// Each CRL is parsed once per change of its source into a <see cref="RevokedSerialIndex"/>; a lookup
/// is a binary search. Sources are asked whether they changed at most every
/// <c>Jpki:Revocation:RefreshSeconds</c> (from a request, without making it wait while a fresh CRL is
/// loaded) and whenever <see cref="RefreshAsync"/> is called (a timer in Azure). A source that turns bad
/// keeps its last good CRL until that goes stale; a source never goes back to an older CRL. A CRL is
/// used only while fresh: thisUpdate not in the future and nextUpdate not passed, give or take the clock skew.
/// A certificate is checked against a CRL of its issuer that covers it: the complete CRL, or the
/// partition named in its cRLDistributionPoints; when none of those is loaded and fresh, the answer is
/// unavailable (fail closed), whatever other partitions say.
/// </remarks>
public sealed class CrlRevocationChecker : IRevocationChecker
{
    private readonly SourceState[] _sources;
    private readonly JpkiTrustAnchors _anchors;
    private readonly TimeProvider _time;
    private readonly TimeSpan _clockSkew;
    private readonly TimeSpan _refreshInterval;
    private readonly long _maxCrlBytes;
    private readonly Lock _gate = new();
    private Task _refresh = Task.CompletedTask;
    private long _nextProbeTicks = long.MinValue;
    // Per issuer fingerprint: the newest CRL of each distribution point (the complete CRL under none).
    private volatile Dictionary<string, CertificateRevocationList[]> _byIssuer = [];
    private volatile IReadOnlyList<CrlSourceStatus> _status = [];

    public CrlRevocationChecker(IEnumerable<ICrlSource> sources, JpkiTrustAnchors anchors, TimeProvider timeProvider, JpkiOptions options)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        _sources = [.. sources.Select(source => new SourceState(source))];
        _anchors = anchors;
        _time = timeProvider;
        _clockSkew = options.ClockSkew;
        _refreshInterval = TimeSpan.FromSeconds(options.Revocation.RefreshSeconds);
        _maxCrlBytes = options.Revocation.MaxCrlMegabytes * 1024L * 1024L;
    }

    /// <summary>The state of each source after the last refresh (empty before the first).</summary>
    public IReadOnlyList<CrlSourceStatus> Status => _status;

    /// <summary>How many sources are configured (<see cref="Status"/> has one entry each once refreshed).</summary>
    public int SourceCount => _sources.Length;

    public async ValueTask<RevocationResult> CheckAsync(JpkiCertificate certificate, JpkiTrustAnchor issuer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(issuer);
        var now = _time.GetUtcNow();
        Task? refresh = null;
        if (now.UtcTicks >= Volatile.Read(ref _nextProbeTicks))
        {
            refresh = StartRefresh();
        }

        // Wait only when there is nothing usable to answer with; otherwise a reload runs behind this
        // request. Concurrent requests all wait on the reload in progress (a cold start), not only the
        // one that started it.
        if (!IsFresh(Select(certificate, issuer, now), now))
        {
            lock (_gate)
            {
                refresh ??= _refresh;
            }

            await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
            now = _time.GetUtcNow();
        }

        return Answer(certificate, issuer, now);
    }

    /// <summary>Asks every source whether it changed and loads what did; returns when done.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        Task running;
        lock (_gate)
        {
            running = _refresh;
        }

        // A refresh that began before this call may have missed the change the caller knows about.
        await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        await StartRefresh().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private RevocationResult Answer(JpkiCertificate certificate, JpkiTrustAnchor issuer, DateTimeOffset now)
    {
        // RFC 5280 §6.3.3: a CRL of the certificate's own issuer, covering it, fresh.
        if (!_byIssuer.ContainsKey(issuer.Fingerprint))
        {
            return RevocationResult.Unavailable(RevocationResult.CrlSource, now, $"No CRL of the issuing root {issuer.Fingerprint} is loaded.");
        }

        if (Select(certificate, issuer, now) is not { } crl)
        {
            return RevocationResult.Unavailable(RevocationResult.CrlSource, now, "The CRLs of the issuing root are partitioned and none covers this certificate's distribution point.");
        }

        if (crl.ThisUpdate > now + _clockSkew)
        {
            return RevocationResult.Unavailable(RevocationResult.CrlSource, now, $"The CRL of the issuing root is not yet valid (thisUpdate {crl.ThisUpdate:O}).");
        }

        if (crl.NextUpdate is not { } nextUpdate || now - _clockSkew > nextUpdate)
        {
            return RevocationResult.Unavailable(RevocationResult.CrlSource, now, $"The CRL of the issuing root is stale (nextUpdate {crl.NextUpdate:O}).");
        }

        return crl.Revoked.TryFind(certificate.SerialNumberBytes.Span, out var revokedAt, out var reason)
            ? RevocationResult.Revoked(RevocationResult.CrlSource, now, crl.ThisUpdate, revokedAt, reason)
            : RevocationResult.Good(RevocationResult.CrlSource, now, crl.ThisUpdate) with { CoversExpiredSince = crl.ExpiredCertsOnCrl };
    }

    /// <summary>The CRL to answer with: of those of the issuer that cover the certificate, a fresh one with the latest thisUpdate, else the latest.</summary>
    private CertificateRevocationList? Select(JpkiCertificate certificate, JpkiTrustAnchor issuer, DateTimeOffset now)
    {
        var covering = _byIssuer.GetValueOrDefault(issuer.Fingerprint, []).Where(crl => crl.Covers(certificate)).ToList();
        return covering.Where(crl => IsFresh(crl, now)).MaxBy(crl => crl.ThisUpdate) ?? covering.MaxBy(crl => crl.ThisUpdate);
    }

    private bool IsFresh(CertificateRevocationList? crl, DateTimeOffset now) =>
        crl is { NextUpdate: { } nextUpdate } && crl.ThisUpdate <= now + _clockSkew && now - _clockSkew <= nextUpdate;

    private Task StartRefresh()
    {
        lock (_gate)
        {
            if (!_refresh.IsCompleted)
            {
                return _refresh;
            }

            Volatile.Write(ref _nextProbeTicks, (_time.GetUtcNow() + _refreshInterval).UtcTicks);
            _refresh = Task.Run(RefreshSourcesAsync);
            return _refresh;
        }
    }

    private async Task RefreshSourcesAsync()
    {
        foreach (var source in _sources)
        {
            await RefreshSourceAsync(source).ConfigureAwait(false);
        }

        // Keyed by issuer AND distribution point: partitions of one root coexist; of two sources with
        // the same partition, the newer CRL wins.
        var newest = new Dictionary<(string Issuer, string DistributionPoint), CertificateRevocationList>();
        foreach (var crl in _sources.Select(s => s.Crl).OfType<CertificateRevocationList>())
        {
            var key = (crl.Issuer.Fingerprint, crl.DistributionPoint is null ? string.Empty : Convert.ToHexString(crl.DistributionPoint));
            if (!newest.TryGetValue(key, out var other) || other.ThisUpdate < crl.ThisUpdate)
            {
                newest[key] = crl;
            }
        }

        _byIssuer = newest.GroupBy(entry => entry.Key.Issuer, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(entry => entry.Value).ToArray(), StringComparer.Ordinal);
        _status = [.. _sources.Select(s => s.ToStatus())];
    }

    private async Task RefreshSourceAsync(SourceState state)
    {
        string? version = null;
        try
        {
            version = await state.Source.GetVersionAsync().ConfigureAwait(false);
            if (version is null)
            {
                state.Error = "The CRL source does not exist.";
                return;
            }

            if (version == state.Version)
            {
                return;
            }

            var content = await ReadAsync(state.Source).ConfigureAwait(false);
            var crl = CertificateRevocationList.Parse(CrlContent.Decode(content), _anchors);
            state.Version = version;
            if (state.Crl is { } loaded && loaded.Issuer == crl.Issuer && SamePartition(loaded, crl) && crl.ThisUpdate < loaded.ThisUpdate)
            {
                state.Error = $"Ignored a CRL older (thisUpdate {crl.ThisUpdate:O}) than the one loaded.";
                return;
            }

            state.Crl = crl;
            state.LoadedAt = _time.GetUtcNow();
            state.Error = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The source's last good CRL stays in use until stale; a bad one is not read again until it changes.
            state.Version = version;
            state.Error = e is InvalidDataException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        }
    }

    private static bool SamePartition(CertificateRevocationList a, CertificateRevocationList b) =>
        a.DistributionPoint is null ? b.DistributionPoint is null : b.DistributionPoint is not null && a.DistributionPoint.AsSpan().SequenceEqual(b.DistributionPoint);

    private async Task<byte[]> ReadAsync(ICrlSource source)
    {
        var stream = await source.OpenReadAsync().ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (stream.CanSeek)
            {
                if (stream.Length > _maxCrlBytes)
                {
                    throw new InvalidDataException($"The CRL is larger than Jpki:Revocation:MaxCrlMegabytes ({stream.Length} bytes).");
                }

                var content = new byte[stream.Length];
                await stream.ReadExactlyAsync(content).ConfigureAwait(false);
                return content;
            }

            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _maxCrlBytes)
                {
                    throw new InvalidDataException("The CRL is larger than Jpki:Revocation:MaxCrlMegabytes.");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private sealed class SourceState(ICrlSource source)
    {
        public ICrlSource Source { get; } = source;

        public string? Version { get; set; }

        public CertificateRevocationList? Crl { get; set; }

        public DateTimeOffset? LoadedAt { get; set; }

        public string? Error { get; set; }

        public CrlSourceStatus ToStatus() => new(
            Source.Name, Version, Crl?.Issuer.Fingerprint, Crl?.ThisUpdate, Crl?.NextUpdate, Crl?.Revoked.Count ?? 0, Crl?.Revoked.SizeInBytes ?? 0, LoadedAt, Error, Crl?.Issuer.KeyIdentifier, Crl?.Issuer.Kind);
    }
}
