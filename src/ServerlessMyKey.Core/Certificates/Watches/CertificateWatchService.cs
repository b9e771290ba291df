using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Certificates.Watches;

/// <summary>
/// The watch list of a service client (API.md "Certificate status"): register certificates, list
/// them, delete one. A certificate is watched once per client (its SHA-256 is the natural key), so a
/// repeated registration returns the same watch. The daily re-check is <see cref="CertificateWatchRechecks"/>.
/// </summary>
public sealed class CertificateWatchService(
    ICertificateWatchStore store,
    CertificateStatusService status,
    ClientWebhooks webhooks,
    IIdempotencyClaims claims,
    TimeProvider time,
    ILogger<CertificateWatchService> logger)
{
    /// <summary>Real JPKI certificates are about 1.7 KB in base64: 500 keep a request under the 1 MiB body limit.</summary>
    public const int MaxCertificates = 500;

    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 100;
    private const int MaxCertificateBytes = 16 * 1024;

    public async Task<StoredResponse> RegisterAsync(WatchRegistrationRequest request, string? idempotencyKey, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        if (!webhooks.Has(caller.ClientId))
        {
            throw new ServiceException(ErrorCodes.WebhookNotConfigured);
        }

        var certificates = Parse(request);
        var idempotency = await claims.ClaimIfKeyedAsync("certificates.watches", caller.ClientId, idempotencyKey, request, cancellationToken);
        if (idempotency is not null && await store.FindResponseAsync(caller.ClientId, idempotency.KeyHash, cancellationToken) is { } stored)
        {
            return stored.ReplayFor(idempotency);
        }

        var statuses = await status.CheckManyAsync([.. certificates.Select(c => c.RawData.ToArray())], cancellationToken);
        for (var i = 0; i < statuses.Count; i++)
        {
            // Only what chains to a pinned root can ever be re-checked; no revocation data now is fine.
            if (statuses[i] is { Status: "unknown" } unknown && unknown.Reason != JpkiErrors.Code(JpkiErrorCode.RevocationUnavailable))
            {
                throw new ServiceException(ErrorCodes.CertificateNotWatchable, $"certificates[{i}] cannot be watched ({unknown.Reason}).");
            }
        }

        var watches = await OptimisticRetry.RunAsync(ct => TryRegisterAsync(caller.ClientId, certificates, statuses, ct), cancellationToken);
        var response = new StoredResponse(201, idempotency?.RequestHash ?? string.Empty,
            ApiJsonOptions.Serialize(new WatchRegistrationResponse([.. watches.Select((w, i) => w.ToView() with { Status = statuses[i].Status, CheckedAt = statuses[i].CheckedAt, Reason = statuses[i].Reason, RevokedAt = statuses[i].RevokedAt })])));
        logger.LogInformation("Client {ClientId} watches {Count} certificates", caller.ClientId, watches.Count);
        if (idempotency is not null && !await store.TrySaveResponseAsync(caller.ClientId, new IdempotentWrite(idempotency.KeyHash, response), cancellationToken))
        {
            // A concurrent request with the same key kept its response first: answer what it answered.
            return (await store.FindResponseAsync(caller.ClientId, idempotency.KeyHash, cancellationToken))!.ReplayFor(idempotency);
        }

        return response;
    }

    public async Task<WatchListResponse> ListAsync(ServiceClient caller, string? continuationToken, int? limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (limit is < 1 or > MaxPageSize)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"limit must be 1–{MaxPageSize}.");
        }

        var page = await store.ListAsync(caller.ClientId, ReadToken(continuationToken), limit ?? DefaultPageSize, cancellationToken);
        return new WatchListResponse([.. page.Watches.Select(w => w.ToView())], page.Next is null ? null : Base64Url(Encoding.UTF8.GetBytes(page.Next)));
    }

    public async Task<WatchView> GetAsync(ServiceClient caller, string watchId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return (IsWatchId(watchId) ? await store.FindAsync(caller.ClientId, watchId, cancellationToken) : null)?.ToView()
            ?? throw new ServiceException(ErrorCodes.WatchNotFound);
    }

    /// <summary>Stops watching; another client's watch id is <c>watch_not_found</c>, as is an unknown one.</summary>
    public async Task DeleteAsync(ServiceClient caller, string watchId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!IsWatchId(watchId) || !await store.DeleteAsync(caller.ClientId, watchId, cancellationToken))
        {
            throw new ServiceException(ErrorCodes.WatchNotFound);
        }

        logger.LogInformation("Client {ClientId} deleted watch {WatchId}", caller.ClientId, watchId);
    }

    /// <summary>A watch id: 32 lowercase hex digits (random), so its first digit spreads watches over 16 shards.</summary>
    public static bool IsWatchId(string? value) => value is { Length: 32 } && value.All(char.IsAsciiHexDigitLower);

    private static List<JpkiCertificate> Parse(WatchRegistrationRequest request)
    {
        if (request.Certificates is not { Count: > 0 and <= MaxCertificates } values)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'certificates' must list 1 to {MaxCertificates} certificates.");
        }

        return [.. values.Select((value, i) =>
            JpkiCertificate.TryParse(Base64Input.Decode(value, $"certificates[{i}]", MaxCertificateBytes), out var certificate)
                ? certificate
                : throw new ServiceException(ErrorCodes.InvalidRequest, $"certificates[{i}] is not a DER X.509 certificate."))];
    }

    /// <summary>The watch of each certificate, in order: the client's existing one, or a new one; <c>null</c> when a concurrent registration won.</summary>
    private async Task<IReadOnlyList<CertificateWatch>?> TryRegisterAsync(string clientId, List<JpkiCertificate> certificates, IReadOnlyList<CertificateStatusView> statuses, CancellationToken cancellationToken)
    {
        var existing = await store.FindByFingerprintsAsync(clientId, [.. certificates.Select(c => c.Fingerprint).Distinct(StringComparer.Ordinal)], cancellationToken);
        var watches = new Dictionary<string, CertificateWatch>(existing, StringComparer.Ordinal);
        var added = new List<CertificateWatch>();
        var now = time.GetUtcNow();
        for (var i = 0; i < certificates.Count; i++)
        {
            if (!watches.ContainsKey(certificates[i].Fingerprint))
            {
                var watch = NewWatch(clientId, certificates[i], statuses[i], now);
                watches[watch.Fingerprint] = watch;
                added.Add(watch);
            }
        }

        if (added.Count > 0 && !await store.TryAddAsync(clientId, added, cancellationToken))
        {
            return null;
        }

        return [.. certificates.Select(c => watches[c.Fingerprint])];
    }

    private static CertificateWatch NewWatch(string clientId, JpkiCertificate certificate, CertificateStatusView status, DateTimeOffset now)
    {
        using var x509 = X509CertificateLoader.LoadCertificate(certificate.RawData.Span);

        // Revoked or expired already: the response says so, and there is nothing left to watch or tell.
        var state = status.Status switch
        {
            "revoked" => WatchState.Revoked,
            "expired" => WatchState.Expired,
            _ => WatchState.Active,
        };
        return new CertificateWatch(
            clientId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), certificate.RawData.ToArray(), certificate.Fingerprint,
            certificate.SerialNumber, x509.IssuerName.Name, status.Kind, certificate.NotAfter, now, state, status);
    }

    private static string? ReadToken(string? token)
    {
        if (token is null)
        {
            return null;
        }

        try
        {
            var after = Encoding.UTF8.GetString(Base64Input.Decode(token, "continuationToken", 64));
            return IsWatchId(after) ? after : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "continuationToken is not one this API gave out.");
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
