using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>
/// Answers whether a certificate issued by <c>issuer</c> is revoked. Implementations: CRL
/// (<see cref="CrlRevocationChecker"/>), OCSP (<see cref="OcspRevocationChecker"/>), none
/// (<see cref="NoRevocationChecker"/>, Development only). Never throws for missing or bad revocation data: that is <see cref="RevocationState.Unavailable"/>.
/// </summary>
public interface IRevocationChecker
{
    ValueTask<RevocationResult> CheckAsync(JpkiCertificate certificate, JpkiTrustAnchor issuer, CancellationToken cancellationToken = default);
}
