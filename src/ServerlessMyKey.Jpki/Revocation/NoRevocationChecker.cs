using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>
/// <c>Jpki:Revocation:Mode=None</c>: reports every certificate as not checked. Only
/// <see cref="RevocationCheckerFactory"/> with development allowed hands it out.
/// </summary>
public sealed class NoRevocationChecker(TimeProvider timeProvider) : IRevocationChecker
{
    public ValueTask<RevocationResult> CheckAsync(JpkiCertificate certificate, JpkiTrustAnchor issuer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(RevocationResult.NotChecked(timeProvider.GetUtcNow()));
}
