using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Verification;

/// <summary>
/// Verifies JPKI end-entity certificates and the signatures made with them. Parse, then verify: each
/// check is a guard clause labelled with the rule it enforces, in the order below, and the first
/// failure is the answer. No I/O of its own: roots, revocation data and the clock are injected.
/// </summary>
/// <remarks>
/// Order: parse → kind from the certificate policy → expected kind → JPKI profile → issuer among
/// the roots of that kind (key identifier and signature) → issued within the root's validity →
/// validity period → revocation. The kind is decided from the certificate itself before any chain is
/// built, so that a signing certificate offered for login is <c>certificate_wrong_kind</c> although it
/// chains to a root of the other purpose.
/// </remarks>
public sealed class JpkiCertificateVerifier
{
    private const int RequiredKeySizeBits = 2048;
    private static readonly byte[] RequiredExponent = [0x01, 0x00, 0x01];

    private readonly JpkiTrustAnchors _anchors;
    private readonly IRevocationChecker _revocation;
    private readonly TimeProvider _time;
    private readonly TimeSpan _clockSkew;
    private readonly JpkiCertificatePolicies _policies;
    private readonly VerifiedCertificateCache _cache;

    public JpkiCertificateVerifier(JpkiTrustAnchors anchors, IRevocationChecker revocation, TimeProvider timeProvider, JpkiOptions options)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(revocation);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        _anchors = anchors;
        _revocation = revocation;
        _time = timeProvider;
        _clockSkew = options.ClockSkew;
        _policies = new JpkiCertificatePolicies(options);
        _cache = new VerifiedCertificateCache(options.CertificateCacheSize);
    }

    /// <summary>How many certificates the cache of chain results and imported keys holds now.</summary>
    internal int CachedCertificates => _cache.Count;

    /// <summary>Verifies a DER certificate of the <paramref name="expectedKind"/>.</summary>
    public ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyAsync(
        ReadOnlyMemory<byte> certificateDer,
        JpkiCertificateKind expectedKind,
        CancellationToken cancellationToken = default) =>
        VerifyAsync(certificateDer, expectedKind, ExpiryGrace.None, cancellationToken);

    /// <summary>
    /// As <see cref="VerifyAsync(ReadOnlyMemory{byte}, JpkiCertificateKind, CancellationToken)"/>, but a certificate
    /// that expired less than <paramref name="grace"/> ago still verifies (everything else is checked as usual,
    /// revocation included); <see cref="JpkiVerifiedCertificate.ExpiredAt"/> then says so. Only a use whose rules
    /// grant such a grace passes one (the 3 months of online insurance eligibility); logins never do.
    /// </summary>
    public async ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyAsync(
        ReadOnlyMemory<byte> certificateDer,
        JpkiCertificateKind expectedKind,
        ExpiryGrace grace,
        CancellationToken cancellationToken = default)
    {
        // RFC 5280 §4.1: one DER-encoded X.509 certificate, nothing before or after it.
        if (!JpkiCertificate.TryParse(certificateDer.Span, out var certificate))
        {
            return Fail(JpkiErrorCode.CertificateMalformed, "Not a DER-encoded X.509 certificate.");
        }

        return await VerifyParsedAsync(certificate, expectedKind, grace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="VerifyAsync(ReadOnlyMemory{byte}, JpkiCertificateKind, ExpiryGrace, CancellationToken)"/> for a certificate already parsed (a CMS signer's, read from the container).</summary>
    internal async ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyParsedAsync(
        JpkiCertificate certificate,
        JpkiCertificateKind expectedKind,
        ExpiryGrace grace,
        CancellationToken cancellationToken)
    {
        // JPKI profile: the certificate policy says which kind the certificate is.
        var kinds = _policies.Classify(certificate);
        if (kinds.Count == 0)
        {
            return Fail(JpkiErrorCode.CertificateUntrusted, "The certificate carries no JPKI certificate policy.");
        }

        if (kinds.Count > 1)
        {
            return Fail(JpkiErrorCode.CertificateProfileInvalid, "The certificate carries the policies of both kinds.");
        }

        var kind = kinds.Single();
        if (kind != expectedKind)
        {
            return Fail(JpkiErrorCode.CertificateWrongKind, $"Expected the {expectedKind} kind, got a certificate of the {kind} kind.");
        }

        if (CheckProfile(certificate, kind) is { } profileViolation)
        {
            return Fail(JpkiErrorCode.CertificateProfileInvalid, profileViolation);
        }

        // RFC 5280 §6.1.3(a)(1): signed by a root of this kind, found by key identifier and signature, never by name.
        // The outcome is fixed by the certificate's bytes: remembered (by SHA-256 of the TBSCertificate, with the
        // signature compared) once a root's key verified it.
        var cacheKey = VerifiedCertificateCache.KeyOf(certificate);
        var chain = _cache.Get(cacheKey);
        if (chain is null || chain.Issuer.Kind != kind || !chain.Signs(certificate))
        {
            var signer = _anchors.FindIssuer(certificate, kind);
            if (signer is null)
            {
                return Fail(JpkiErrorCode.CertificateUntrusted, $"No trusted {kind} root issued the certificate.");
            }

            var verified = new VerifiedCertificateCache.Entry(signer, certificate);
            chain = _cache.Add(cacheKey, verified);
            chain = chain.Signs(certificate) ? chain : verified;
        }

        var issuer = chain.Issuer;

        // A root issues certificates only while it is valid itself (see JpkiTrustAnchors).
        if (certificate.NotBefore < issuer.NotBefore || certificate.NotBefore > issuer.NotAfter)
        {
            return Fail(JpkiErrorCode.CertificateUntrusted, $"The certificate's notBefore lies outside the validity of its root {issuer.Fingerprint}.");
        }

        // RFC 5280 §6.1.3(a)(2): the validity period, give or take the clock skew.
        var now = _time.GetUtcNow();
        if (now + _clockSkew < certificate.NotBefore)
        {
            return Fail(JpkiErrorCode.CertificateExpired, $"The certificate is not valid before {certificate.NotBefore:O}.");
        }

        var expired = now - _clockSkew > certificate.NotAfter;
        if (expired && now - _clockSkew > grace.End(certificate.NotAfter))
        {
            return Fail(JpkiErrorCode.CertificateExpired, $"The certificate expired at {certificate.NotAfter:O}.");
        }

        // RFC 5280 §6.1.3(a)(3): not revoked, by fresh data signed by the issuing root; none is a failure.
        var revocation = await _revocation.CheckAsync(certificate, issuer, cancellationToken).ConfigureAwait(false);
        switch (revocation.State)
        {
            case RevocationState.Revoked:
                return Fail(JpkiErrorCode.CertificateRevoked, $"Revoked at {revocation.RevokedAt:O} ({revocation.Reason?.ToString() ?? "no reason given"}), per {revocation.Source}.");
            case RevocationState.Unavailable:
                return Fail(JpkiErrorCode.RevocationUnavailable, revocation.Detail ?? "No revocation data.");
            case RevocationState.Good or RevocationState.NotChecked:
                break;
            default:
                throw new InvalidOperationException($"Unknown revocation state {revocation.State}.");
        }

        // Within a grace after expiry, "not listed" proves nothing unless the data keeps expired certificates
        // (CRL expiredCertsOnCRL, OCSP archiveCutoff) from this one's notAfter or earlier: a CA may drop a
        // revoked certificate from its CRL once it expired. Fail closed otherwise.
        if (expired && revocation.State == RevocationState.Good && !(revocation.CoversExpiredSince is { } since && since <= certificate.NotAfter))
        {
            return Fail(JpkiErrorCode.RevocationUnavailable, $"The certificate expired at {certificate.NotAfter:O} and the {revocation.Source} data does not say it still lists certificates expired since then (expiredCertsOnCRL / archiveCutoff).");
        }

        return JpkiResult<JpkiVerifiedCertificate>.Success(new JpkiVerifiedCertificate(certificate, kind, issuer, revocation, chain.Key)
        {
            ExpiredAt = expired ? certificate.NotAfter : null,
        });
    }

    /// <summary>
    /// The current status of a certificate of either kind (生存確認 / 現況確認): as <see cref="VerifyAsync"/>
    /// up to the issuer, then revocation before validity, so that a certificate revoked before it expired
    /// reports the revocation and its reason. Never fails: what cannot be determined is
    /// <see cref="JpkiCertificateState.Unknown"/> with the JPKI code as the reason.
    /// </summary>
    public async ValueTask<JpkiCertificateStatus> CheckStatusAsync(ReadOnlyMemory<byte> certificateDer, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        if (!JpkiCertificate.TryParse(certificateDer.Span, out var certificate))
        {
            return new JpkiCertificateStatus(JpkiCertificateState.Unknown, null, null, now, JpkiErrors.Code(JpkiErrorCode.CertificateMalformed));
        }

        JpkiCertificateStatus Unknown(JpkiErrorCode code, JpkiCertificateKind? kind = null) =>
            new(JpkiCertificateState.Unknown, kind, certificate.SerialNumber, now, JpkiErrors.Code(code));

        // JPKI profile: the kind from the certificate policy, then the profile of that kind.
        var kinds = _policies.Classify(certificate);
        if (kinds.Count != 1)
        {
            return Unknown(kinds.Count == 0 ? JpkiErrorCode.CertificateUntrusted : JpkiErrorCode.CertificateProfileInvalid);
        }

        var kind = kinds.Single();
        if (CheckProfile(certificate, kind) is not null)
        {
            return Unknown(JpkiErrorCode.CertificateProfileInvalid, kind);
        }

        // RFC 5280 §6.1.3(a)(1): a pinned root of this kind issued it, while the root was valid.
        var issuer = _anchors.FindIssuer(certificate, kind);
        if (issuer is null || certificate.NotBefore < issuer.NotBefore || certificate.NotBefore > issuer.NotAfter)
        {
            return Unknown(JpkiErrorCode.CertificateUntrusted, kind);
        }

        // RFC 5280 §6.1.3(a)(3) revocation, then §6.1.3(a)(2) validity.
        var revocation = await _revocation.CheckAsync(certificate, issuer, cancellationToken).ConfigureAwait(false);
        switch (revocation.State)
        {
            case RevocationState.Revoked:
                return new JpkiCertificateStatus(JpkiCertificateState.Revoked, kind, certificate.SerialNumber, revocation.CheckedAt, JpkiCertificateStatus.ReasonName(revocation.Reason), revocation.RevokedAt, revocation.Source);
            case RevocationState.Unavailable when now - _clockSkew <= certificate.NotAfter:
                return Unknown(JpkiErrorCode.RevocationUnavailable, kind) with { Source = revocation.Source };
        }

        if (now + _clockSkew < certificate.NotBefore || now - _clockSkew > certificate.NotAfter)
        {
            return new JpkiCertificateStatus(JpkiCertificateState.Expired, kind, certificate.SerialNumber, now, Source: revocation.Source);
        }

        return new JpkiCertificateStatus(JpkiCertificateState.Good, kind, certificate.SerialNumber, revocation.CheckedAt, Source: revocation.Source);
    }

    /// <summary>Verifies an RSASSA-PKCS1-v1_5 signature with SHA-256 over <paramref name="data"/> (a login challenge, a document).</summary>
    public JpkiResult VerifySignature(JpkiVerifiedCertificate certificate, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, digest);
        return VerifyDigestSignature(certificate, digest, signature);
    }

    /// <summary>As <see cref="VerifySignature"/>, given the SHA-256 digest of the data instead of the data.</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256Digest"/> is not 32 bytes: the caller validates input.</exception>
    public JpkiResult VerifyDigestSignature(JpkiVerifiedCertificate certificate, ReadOnlySpan<byte> sha256Digest, ReadOnlySpan<byte> signature) =>
        SignatureCheck.VerifyDigest(certificate, sha256Digest, signature);

    // JPKI profile (JPKI.md, "End-entity certificates") and RFC 5280 §4.2: null when the certificate conforms.
    private static string? CheckProfile(JpkiCertificate certificate, JpkiCertificateKind kind)
    {
        if (EndEntityProfile.Violation(certificate) is { } violation)
        {
            return violation;
        }

        if (certificate.PublicKeyAlgorithm != Oids.RsaEncryption || certificate.RsaKeySizeBits != RequiredKeySizeBits)
        {
            return $"The key is not RSA-{RequiredKeySizeBits} ({certificate.PublicKeyAlgorithm}, {certificate.RsaKeySizeBits} bits).";
        }

        if (!certificate.RsaExponent.Span.SequenceEqual(RequiredExponent))
        {
            return "The RSA public exponent is not 65537.";
        }

        var expectedUsage = kind == JpkiCertificateKind.Authentication
            ? X509KeyUsageFlags.DigitalSignature
            : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation;
        return certificate.KeyUsage != expectedUsage || !certificate.KeyUsageCritical
            ? $"KeyUsage must be critical and exactly {expectedUsage} for the {kind} kind."
            : null;
    }

    private static JpkiResult<JpkiVerifiedCertificate> Fail(JpkiErrorCode code, string detail) =>
        JpkiResult<JpkiVerifiedCertificate>.Fail(code, detail);
}
