using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Jpki.Revocation;

namespace ServerlessMyKey.Functions.Jpki;

/// <summary>
/// Keeps the CRLs loaded and fresh between requests: every 5 minutes each source is asked whether
/// it changed (a file's write time, a blob's ETag) and what changed is loaded and checked again.
/// </summary>
public sealed class CrlRefreshFunction(IRevocationChecker revocation, ILogger<CrlRefreshFunction> logger)
{
    [Function("RefreshCrls")]
    public async Task Run([TimerTrigger("0 */5 * * * *", RunOnStartup = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (revocation is not CrlRevocationChecker crls)
        {
            return;
        }

        await crls.RefreshAsync(cancellationToken);
        foreach (var status in crls.Status)
        {
            if (status.Error is null)
            {
                logger.LogInformation("CRL {Source}: {RevokedCount} revoked, next update {NextUpdate}", status.Source, status.RevokedCount, status.NextUpdate);
            }
            else
            {
                logger.LogWarning("CRL {Source} is not usable: {Error}", status.Source, status.Error);
            }
        }
    }
}
