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
    private readonly PinnedCaVerifier _pinned;
    private readonly HpkiProfileOptions _profile;
    private readonly HashSet<string> _roles;

    public HpkiCertificateVerifier(JpkiTrustAnchors anchors, IRevocationChecker revocation, TimeProvider timeProvider, TimeSpan clockSkew, HpkiProfileOptions profile)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(revocation);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(profile);
        _pinned = new PinnedCaVerifier(
            anchors, revocation, timeProvider, clockSkew,
            "HPKI CA (Medical:Hpki:TrustAnchors)", "No revocation data for the HPKI CA (Medical:Hpki:CrlFiles).");
        _profile = profile;
        _roles = new HashSet<string>(profile.Roles, StringComparer.Ordinal);
    }

    /// <summary>Whether any HPKI CA is configured (otherwise every certificate is <c>certificate_untrusted</c>).</summary>
    public bool IsEnabled => _pinned.Anchors.Count > 0;

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

        var verified = await _pinned.VerifyIssuedAsync(certificate, cancellationToken).ConfigureAwait(false);
        return verified.Succeeded
            ? JpkiResult<HpkiVerifiedCertificate>.Success(new HpkiVerifiedCertificate(
                verified.Value!,
                role,
                HpkiAttributes.SubjectAttribute(certificate, _profile.NameAttributeOid),
                HpkiAttributes.DateOfBirth(certificate, _profile.DateOfBirthAttributeOid)))
            : Fail(verified.Failure!.Code, verified.Failure.Detail);
    }

    // RFC 5280 §4.2 for an end entity that signs (nonRepudiation for HPKI signing certificates, or digitalSignature),
    // and one of the HPKI policies when Medical:Hpki:Policies names any (§4.2.1.4); null when the certificate conforms.
    private string? CheckProfile(JpkiCertificate certificate) =>
        PinnedCaVerifier.SigningProfileViolation(certificate)
        ?? (_profile.Policies.Count > 0 && !certificate.PolicyOids.Any(_profile.Policies.Contains)
            ? "The certificate carries none of the policies of Medical:Hpki:Policies."
            : null);

    private static JpkiResult<HpkiVerifiedCertificate> Fail(JpkiErrorCode code, string detail) =>
        JpkiResult<HpkiVerifiedCertificate>.Fail(code, detail);
}
