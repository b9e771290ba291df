using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Jpki.Hpki;

/// <summary>
/// Verifies HPKI (保健医療福祉分野PKI) signing certificates of doctors and other health professionals
/// against their own anchors (<c>Medical:Hpki:TrustAnchors</c>) and CRLs (<c>Medical:Hpki:CrlFiles</c>),
/// beside <see cref="JpkiCertificateVerifier"/> and never mixed with it. Same habits: no I/O of its own,
/// the first failed check answers, no revocation data is a refusal, and no configured anchor trusts nothing.
/// </summary>
/// <remarks>
/// Order: parse → profile (end entity, RSA ≥ 2048, a signing KeyUsage, a configured policy when any is
/// configured, an accepted hcRole) → issued directly by a configured CA (key identifier and signature) →
/// issued within the CA's validity → validity now → revocation. The anchors are the HPKI CAs that sign
/// end-entity certificates (pinned; an intermediate is configured as an anchor of its own).
/// </remarks>
public sealed class HpkiCertificateVerifier
{
    private const int MinimumKeySizeBits = 2048;

    private readonly JpkiTrustAnchors _anchors;
    private readonly IRevocationChecker _revocation;
    private readonly TimeProvider _time;
    private readonly TimeSpan _clockSkew;
    private readonly HpkiProfileOptions _profile;
    private readonly HashSet<string> _roles;

    public HpkiCertificateVerifier(JpkiTrustAnchors anchors, IRevocationChecker revocation, TimeProvider timeProvider, TimeSpan clockSkew, HpkiProfileOptions profile)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(revocation);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(profile);
        _anchors = anchors;
        _revocation = revocation;
        _time = timeProvider;
        _clockSkew = clockSkew;
        _profile = profile;
        _roles = new HashSet<string>(profile.Roles, StringComparer.Ordinal);
    }

    /// <summary>Whether any HPKI CA is configured (otherwise every certificate is <c>certificate_untrusted</c>).</summary>
    public bool IsEnabled => _anchors.All.Count > 0;

    /// <summary>Verifies a DER HPKI signing certificate and reads its hcRole, name and date of birth.</summary>
    public async ValueTask<JpkiResult<HpkiVerifiedCertificate>> VerifyAsync(ReadOnlyMemory<byte> certificateDer, CancellationToken cancellationToken = default)
    {
        // RFC 5280 §4.1: one DER-encoded X.509 certificate.
        if (!JpkiCertificate.TryParse(certificateDer.Span, out var certificate))
        {
            return Fail(JpkiErrorCode.CertificateMalformed, "Not a DER-encoded X.509 certificate.");
        }

        if (CheckProfile(certificate) is { } violation)
        {
            return Fail(JpkiErrorCode.CertificateProfileInvalid, violation);
        }

        // ISO/TS 17090-2 hcRole: the national qualification, in the configured coding scheme, one of the accepted values.
        var roles = HpkiAttributes.HcRoles(certificate, _profile.HcRoleAttributeOid, _profile.RoleCodingSchemeOid);
        var role = roles.FirstOrDefault(_roles.Contains);
        if (role is null)
        {
            return Fail(JpkiErrorCode.CertificateProfileInvalid, roles.Count == 0
                ? $"The certificate carries no hcRole ({_profile.HcRoleAttributeOid}) in the coding scheme {_profile.RoleCodingSchemeOid}."
                : "The certificate's hcRole is none of Medical:Hpki:Roles.");
        }

        // RFC 5280 §6.1.3(a)(1): signed by a configured HPKI CA, found by key identifier and signature, never by name.
        var issuer = _anchors.All.FirstOrDefault(anchor =>
            anchor.MayHaveIssued(certificate.AuthorityKeyIdentifier.Span)
            && anchor.VerifySignature(certificate.TbsCertificate.Span, certificate.Signature.Span, certificate.SignatureAlgorithm));
        if (issuer is null)
        {
            return Fail(JpkiErrorCode.CertificateUntrusted, "No configured HPKI CA (Medical:Hpki:TrustAnchors) issued the certificate.");
        }

        // A CA issues certificates only while it is valid itself.
        if (certificate.NotBefore < issuer.NotBefore || certificate.NotBefore > issuer.NotAfter)
        {
            return Fail(JpkiErrorCode.CertificateUntrusted, $"The certificate's notBefore lies outside the validity of its CA {issuer.Fingerprint}.");
        }

        // RFC 5280 §6.1.3(a)(2): valid now (the signature is verified as it arrives).
        var now = _time.GetUtcNow();
        if (now + _clockSkew < certificate.NotBefore || now - _clockSkew > certificate.NotAfter)
        {
            return Fail(JpkiErrorCode.CertificateExpired, $"The certificate is valid only from {certificate.NotBefore:O} to {certificate.NotAfter:O}.");
        }

        // RFC 5280 §6.1.3(a)(3): a fresh CRL of that CA; none configured or none fresh is a refusal.
        var revocation = await _revocation.CheckAsync(certificate, issuer, cancellationToken).ConfigureAwait(false);
        return revocation.State switch
        {
            RevocationState.Good => JpkiResult<HpkiVerifiedCertificate>.Success(new HpkiVerifiedCertificate(
                new JpkiVerifiedCertificate(certificate, JpkiCertificateKind.Signing, issuer, revocation, certificate.CreateRsaPublicKey()),
                role,
                HpkiAttributes.SubjectAttribute(certificate, _profile.NameAttributeOid),
                HpkiAttributes.DateOfBirth(certificate, _profile.DateOfBirthAttributeOid))),
            RevocationState.Revoked => Fail(JpkiErrorCode.CertificateRevoked, $"Revoked at {revocation.RevokedAt:O}, per {revocation.Source}."),
            _ => Fail(JpkiErrorCode.RevocationUnavailable, revocation.Detail ?? "No revocation data for the HPKI CA (Medical:Hpki:CrlFiles)."),
        };
    }

    // RFC 5280 §4.2 for an end entity that signs, and the configured HPKI policies; null when the certificate conforms.
    private string? CheckProfile(JpkiCertificate certificate)
    {
        if (EndEntityProfile.Violation(certificate) is { } violation)
        {
            return violation;
        }

        if (certificate.PublicKeyAlgorithm != Oids.RsaEncryption || certificate.RsaKeySizeBits < MinimumKeySizeBits)
        {
            return $"The key is not RSA of at least {MinimumKeySizeBits} bits.";
        }

        // RFC 5280 §4.2.1.3: a key that signs documents has nonRepudiation (HPKI signing certificates) or digitalSignature.
        const X509KeyUsageFlags signing = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation;
        if (certificate.KeyUsage is not { } usage || (usage & signing) == 0)
        {
            return "KeyUsage must be present with digitalSignature or nonRepudiation.";
        }

        // RFC 5280 §4.2.1.4: one of the HPKI policies, when Medical:Hpki:Policies names any.
        return _profile.Policies.Count > 0 && !certificate.PolicyOids.Any(_profile.Policies.Contains)
            ? "The certificate carries none of the policies of Medical:Hpki:Policies."
            : null;
    }

    private static JpkiResult<HpkiVerifiedCertificate> Fail(JpkiErrorCode code, string detail) =>
        JpkiResult<HpkiVerifiedCertificate>.Fail(code, detail);
}
