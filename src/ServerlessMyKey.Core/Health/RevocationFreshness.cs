using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Revocation;

namespace ServerlessMyKey.Core.Health;

/// <summary>
/// How fresh the revocation data is that logins and signature checks rely on, per source. A CRL is
/// <c>ok</c> until <c>Jpki:Revocation:StaleWarningHours</c> before its nextUpdate, then
/// <c>stale_soon</c>, and <c>stale</c> once the verifier stops using it (nextUpdate plus the clock
/// skew passed: every check of its certificates is <c>revocation_unavailable</c>); a source with no
/// usable CRL is <c>unavailable</c>. An OCSP responder is <c>ok</c> while its last exchange gave an
/// answer (or none was needed yet) and <c>unavailable</c> when the last one failed.
/// </summary>
/// <remarks>
/// Read by <c>GET /api/health</c> (in the body; the HTTP status stays about storage) and by the
/// operational-state timer, which logs one event per source for the alert. Sources are labelled
/// <c>crl-0</c>, <c>crl-1</c>… in configuration order and <c>ocsp-authentication</c>/<c>ocsp-signing</c>:
/// the health endpoint is anonymous, so file paths, blob URIs and error texts stay in the logs.
/// </remarks>
public sealed class RevocationFreshness(IRevocationChecker checker, JpkiOptions options, TimeProvider time)
{
    public const string Ok = "ok";
    public const string StaleSoon = "stale_soon";
    public const string Stale = "stale";
    public const string Unavailable = "unavailable";

    private static readonly string[] Severity = [Ok, StaleSoon, Stale, Unavailable];

    /// <summary>The state of every revocation source now (a CRL checker never refreshed is refreshed first).</summary>
    public async Task<RevocationReport> ReportAsync(CancellationToken cancellationToken = default)
    {
        var sources = checker switch
        {
            CrlRevocationChecker crls => await CrlSourcesAsync(crls, cancellationToken).ConfigureAwait(false),
            OcspRevocationChecker ocsp => OcspSources(ocsp),
            _ => [],
        };
        var mode = options.Revocation.Mode.ToString().ToLowerInvariant();
        var overall = options.Revocation.Mode == RevocationMode.None
            ? Ok
            : sources.Count == 0 ? Unavailable : sources.MaxBy(s => Array.IndexOf(Severity, s.Status))!.Status;
        return new RevocationReport(overall, mode, sources);
    }

    private async Task<IReadOnlyList<RevocationSourceReport>> CrlSourcesAsync(CrlRevocationChecker crls, CancellationToken cancellationToken)
    {
        if (crls.Status.Count < crls.SourceCount)
        {
            await crls.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        var now = time.GetUtcNow();
        return [.. crls.Status.Select((source, i) => new RevocationSourceReport(
            $"crl-{i}",
            CrlStatus(source, now),
            source.Kind is { } kind ? KindName(kind) : null,
            source.IssuerKeyId,
            source.ThisUpdate,
            source.NextUpdate,
            null,
            source.Error is null ? null : "the source's last refresh failed (see the CRL refresh log)")
        { Detail = source.Error, SourceName = source.Source })];
    }

    private string CrlStatus(CrlSourceStatus source, DateTimeOffset now)
    {
        // Same rule as CrlRevocationChecker: usable while thisUpdate ≤ now + skew and now − skew ≤ nextUpdate.
        if (source.NextUpdate is not { } nextUpdate || source.ThisUpdate is not { } thisUpdate || thisUpdate > now + options.ClockSkew)
        {
            return Unavailable;
        }

        if (now - options.ClockSkew > nextUpdate)
        {
            return Stale;
        }

        return nextUpdate - now <= TimeSpan.FromHours(options.Revocation.StaleWarningHours) ? StaleSoon : Ok;
    }

    private static IReadOnlyList<RevocationSourceReport> OcspSources(OcspRevocationChecker ocsp) =>
    [
        .. ocsp.Status.Where(r => r.Configured).Select(r => new RevocationSourceReport(
            $"ocsp-{KindName(r.Kind)}",
            r.LastAttemptAt is not null && r.LastFailure is not null ? Unavailable : Ok,
            KindName(r.Kind),
            null,
            null,
            null,
            r.LastAnswerAt,
            r.LastFailure is null ? null : "the responder's last answer was not usable")
        { Detail = r.LastFailure, SourceName = $"ocsp-{KindName(r.Kind)}" }),
    ];

    private static string KindName(JpkiCertificateKind kind) => kind == JpkiCertificateKind.Authentication ? "authentication" : "signing";
}

/// <summary>The revocation part of the health report: the worst source's status, the mode, each source.</summary>
public sealed record RevocationReport(string Status, string Mode, IReadOnlyList<RevocationSourceReport> Sources);

/// <summary>
/// One revocation source. <see cref="Detail"/> and <see cref="SourceName"/> (file path, blob URI, error
/// text) are for logs only and are not serialized into the anonymous health body.
/// </summary>
public sealed record RevocationSourceReport(
    string Source,
    string Status,
    string? Kind,
    string? IssuerKeyId,
    DateTimeOffset? ThisUpdate,
    DateTimeOffset? NextUpdate,
    DateTimeOffset? LastAnswerAt,
    string? Problem)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Detail { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string? SourceName { get; init; }
}
