using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Jpki;

namespace ServerlessMyKey.Core.Jpki;

/// <summary>Maps the JPKI library's verification codes onto the API's catalogue.</summary>
public static class JpkiErrorMapping
{
    /// <summary>
    /// For login (401s). The contract's list has no code for a broken profile or a SHA-1 DigestInfo:
    /// a certificate outside the JPKI profile is not a trusted JPKI certificate, and a signature over
    /// another digest is not a valid signature of the challenge; the detail says which check refused it.
    /// </summary>
    public static ErrorCode ForLogin(JpkiErrorCode code) => code switch
    {
        JpkiErrorCode.CertificateMalformed => ErrorCodes.InvalidRequest,
        JpkiErrorCode.CertificateUntrusted or JpkiErrorCode.CertificateProfileInvalid => ErrorCodes.CertificateUntrusted,
        JpkiErrorCode.CertificateWrongKind => ErrorCodes.CertificateWrongKind,
        JpkiErrorCode.CertificateExpired => ErrorCodes.CertificateExpired,
        JpkiErrorCode.CertificateRevoked => ErrorCodes.CertificateRevoked,
        JpkiErrorCode.RevocationUnavailable => ErrorCodes.RevocationUnavailable,
        JpkiErrorCode.SignatureInvalid or JpkiErrorCode.SignatureAlgorithmUnsupported => ErrorCodes.SignatureInvalid,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };
}
