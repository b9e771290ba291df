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
        JpkiErrorCode.CertificateMalformed or JpkiErrorCode.SignatureMalformed => ErrorCodes.InvalidRequest,
        JpkiErrorCode.CertificateUntrusted or JpkiErrorCode.CertificateProfileInvalid => ErrorCodes.CertificateUntrusted,
        JpkiErrorCode.CertificateWrongKind => ErrorCodes.CertificateWrongKind,
        JpkiErrorCode.CertificateExpired => ErrorCodes.CertificateExpired,
        JpkiErrorCode.CertificateRevoked => ErrorCodes.CertificateRevoked,
        JpkiErrorCode.RevocationUnavailable => ErrorCodes.RevocationUnavailable,
        JpkiErrorCode.SignatureInvalid or JpkiErrorCode.SignatureAlgorithmUnsupported => ErrorCodes.SignatureInvalid,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };

    /// <summary>
    /// For signature verification, a refusal is a verdict — <c>200 {"valid":false,"code":"&lt;jpki code&gt;"}</c>
    /// with the JPKI library's own code — except for malformed input (an unparsable certificate or CMS
    /// container), which is the caller's mistake: <c>400 invalid_request</c>.
    /// </summary>
    public static bool IsMalformedSignatureInput(JpkiErrorCode code) =>
        code is JpkiErrorCode.CertificateMalformed or JpkiErrorCode.SignatureMalformed;
}
