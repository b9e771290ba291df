namespace ServerlessMyKey.Jpki;

/// <summary>
/// The closed catalogue of reasons a JPKI certificate or signature is refused. Each value has one
/// stable snake_case code (<see cref="JpkiErrors.Code"/>); Core maps these to its HTTP catalogue.
/// </summary>
public enum JpkiErrorCode
{
    /// <summary>The bytes are not one DER-encoded X.509 v3 certificate.</summary>
    CertificateMalformed,

    /// <summary>No configured root of the certificate's kind issued it (or it is no JPKI certificate at all).</summary>
    CertificateUntrusted,

    /// <summary>A signing certificate where an authentication one is expected, or the other way round.</summary>
    CertificateWrongKind,

    /// <summary>The certificate breaks the JPKI end-entity profile: key usage, key type or size, basic constraints, extensions.</summary>
    CertificateProfileInvalid,

    /// <summary>Outside its validity period (expired or not yet valid), allowing for the configured clock skew.</summary>
    CertificateExpired,

    /// <summary>The issuer's revocation data lists the certificate.</summary>
    CertificateRevoked,

    /// <summary>No fresh, correctly signed revocation data for the issuer: fail closed.</summary>
    RevocationUnavailable,

    /// <summary>The signature does not verify with the certificate's key, or has the wrong length.</summary>
    SignatureInvalid,

    /// <summary>
    /// A well-formed PKCS#1 v1.5 signature by the certificate's key, but over a DigestInfo other than
    /// SHA-256 (older clients send SHA-1). Only SHA-256 is accepted.
    /// </summary>
    SignatureAlgorithmUnsupported,

    /// <summary>
    /// The signature container is not usable: not DER CMS SignedData, not exactly one signer, no signer
    /// certificate, no signed attributes, or detached without the data. Malformed input, not a verdict.
    /// </summary>
    SignatureMalformed,
}

/// <summary>The one table of codes and messages for <see cref="JpkiErrorCode"/>.</summary>
public static class JpkiErrors
{
    /// <summary>Every code, so tests and documentation can prove the catalogue stays closed.</summary>
    public static IReadOnlyList<JpkiErrorCode> All { get; } = Enum.GetValues<JpkiErrorCode>();

    /// <summary>The stable snake_case code callers branch on (the ones in API.md).</summary>
    public static string Code(JpkiErrorCode error) => error switch
    {
        JpkiErrorCode.CertificateMalformed => "certificate_malformed",
        JpkiErrorCode.CertificateUntrusted => "certificate_untrusted",
        JpkiErrorCode.CertificateWrongKind => "certificate_wrong_kind",
        JpkiErrorCode.CertificateProfileInvalid => "certificate_profile_invalid",
        JpkiErrorCode.CertificateExpired => "certificate_expired",
        JpkiErrorCode.CertificateRevoked => "certificate_revoked",
        JpkiErrorCode.RevocationUnavailable => "revocation_unavailable",
        JpkiErrorCode.SignatureInvalid => "signature_invalid",
        JpkiErrorCode.SignatureAlgorithmUnsupported => "signature_algorithm_unsupported",
        JpkiErrorCode.SignatureMalformed => "signature_malformed",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };

    /// <summary>A short message that is safe to show a caller.</summary>
    public static string Title(JpkiErrorCode error) => error switch
    {
        JpkiErrorCode.CertificateMalformed => "The certificate is not a DER-encoded X.509 certificate.",
        JpkiErrorCode.CertificateUntrusted => "The certificate was not issued by a trusted JPKI root.",
        JpkiErrorCode.CertificateWrongKind => "The certificate is of the wrong kind for this operation.",
        JpkiErrorCode.CertificateProfileInvalid => "The certificate does not follow the JPKI certificate profile.",
        JpkiErrorCode.CertificateExpired => "The certificate is expired or not yet valid.",
        JpkiErrorCode.CertificateRevoked => "The certificate has been revoked.",
        JpkiErrorCode.RevocationUnavailable => "The revocation status of the certificate could not be determined.",
        JpkiErrorCode.SignatureInvalid => "The signature does not verify.",
        JpkiErrorCode.SignatureAlgorithmUnsupported => "The signature uses a digest algorithm other than SHA-256.",
        JpkiErrorCode.SignatureMalformed => "The signature container is not a usable CMS SignedData.",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}
