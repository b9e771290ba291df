using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Certificates;

/// <summary><c>POST /api/certificates/status</c>: up to <see cref="CertificateStatusService.MaxCertificates"/> base64 DER certificates.</summary>
public sealed record CertificateStatusRequest(IReadOnlyList<string?>? Certificates);

public sealed record CertificateStatusResponse(IReadOnlyList<CertificateStatusView> Results);

/// <summary>One certificate's status, in request order. <c>reason</c>: the CRLReason when revoked, the JPKI code when unknown.</summary>
public sealed record CertificateStatusView(
    string? SerialNumber,
    string? Kind,
    string Status,
    DateTimeOffset CheckedAt,
    string? Reason = null,
    DateTimeOffset? RevokedAt = null,
    string? Source = null)
{
    public static CertificateStatusView From(JpkiCertificateStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(status.SerialNumber, status.Kind?.ToString().ToLowerInvariant(), status.StateName, status.CheckedAt, status.Reason, status.RevokedAt, status.Source);
    }
}

/// <summary>Roles of service clients for certificate status.</summary>
public static class CertificateRoles
{
    /// <summary>Insurers and other verifiers (生存確認 / 現況確認).</summary>
    public const string Status = "certificates.status";
}

/// <summary>
/// Certificate status for insurers and other verifiers (生存確認 / 現況確認, API.md "Certificate status"):
/// good, revoked (with reason and time), expired or unknown per certificate, for authentication and
/// signing certificates alike. The certificates are not kept; logs carry counts only.
/// </summary>
public sealed class CertificateStatusService(JpkiCertificateVerifier verifier, ILogger<CertificateStatusService> logger)
{
    public const int MaxCertificates = 1000;
    private const int MaxCertificateBytes = 16 * 1024;
    private const int Parallelism = 8;

    public async Task<CertificateStatusResponse> CheckAsync(CertificateStatusRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Certificates is not { Count: > 0 and <= MaxCertificates } certificates)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'certificates' must list 1 to {MaxCertificates} certificates; use status jobs for more.");
        }

        var ders = certificates.Select((value, index) => Base64Input.Decode(value, $"certificates[{index}]", MaxCertificateBytes)).ToArray();
        var results = await CheckManyAsync(ders, cancellationToken);
        logger.LogInformation(
            "Certificate status of {Count} certificates: {Good} good, {Revoked} revoked, {Expired} expired, {Unknown} unknown",
            results.Count, results.Count(r => r.Status == "good"), results.Count(r => r.Status == "revoked"), results.Count(r => r.Status == "expired"), results.Count(r => r.Status == "unknown"));
        return new CertificateStatusResponse(results);
    }

    /// <summary>Checks certificates (DER) in order; shared with status jobs.</summary>
    public async Task<IReadOnlyList<CertificateStatusView>> CheckManyAsync(IReadOnlyList<byte[]> certificates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var results = new CertificateStatusView[certificates.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, certificates.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (index, ct) => results[index] = CertificateStatusView.From(await verifier.CheckStatusAsync(certificates[index], ct)));
        return results;
    }
}
