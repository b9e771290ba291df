namespace ServerlessMyKey.Core.Signatures;

/// <summary>
/// <c>POST /api/signatures/verifications</c> (API.md "JPKI signatures"): raw — <c>certificate</c>,
/// <c>signature</c> and either <c>data</c> or its SHA-256 <c>digest</c> — or CMS — <c>cms</c> plus
/// <c>data</c> when detached. All binary values base64 (either alphabet).
/// </summary>
public sealed record SignatureVerificationRequest(string? Certificate, string? Signature, string? Data, string? Digest, string? Cms);

/// <summary>The answer: <c>valid</c> with the certificate, holder and revocation, or <c>valid:false</c> with a JPKI code. Always a receipt.</summary>
public sealed record SignatureVerificationResponse(
    bool Valid,
    string? Code,
    string ReceiptId,
    VerifiedCertificateView? Certificate = null,
    HolderView? Holder = null,
    RevocationView? Revocation = null,
    DateTimeOffset? SigningTime = null);

public sealed record VerifiedCertificateView(string Kind, string SerialNumber, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>
/// 基本4情報 in the API's words. <c>dateOfBirth</c> is <c>YYYY-MM-DD</c>, or <c>YYYY-MM</c> / <c>YYYY</c> /
/// absent when parts are unknown in the register; <c>era</c> is the certificate's era code by name.
/// </summary>
public sealed record HolderView(
    string Name,
    string Address,
    string? DateOfBirth,
    string Era,
    string Sex,
    string? NameSubstitutePositions,
    string? AddressSubstitutePositions)
{
    public override string ToString() => nameof(HolderView) + " { (personal data) }";
}

public sealed record RevocationView(string Status, string Source, DateTimeOffset CheckedAt, DateTimeOffset? ProducedAt = null);

/// <summary>
/// The evidence of one verification, sealed as the payload of a compact JWS (ES256, the token-signing
/// key, <c>kid</c> in the JWKS). No personal data in clear: <see cref="Holder"/> is an envelope-encrypted
/// blob, present only with <c>Signatures:StoreHolderData=true</c>.
/// </summary>
public sealed record SignatureEvidence
{
    public required string ReceiptId { get; init; }

    public required DateTimeOffset VerifiedAt { get; init; }

    /// <summary><c>raw-data</c>, <c>raw-digest</c>, <c>cms-attached</c> or <c>cms-detached</c>.</summary>
    public required string Format { get; init; }

    public required bool Valid { get; init; }

    public string? Code { get; init; }

    /// <summary>Why the verification failed (names the check, never personal data).</summary>
    public string? Detail { get; init; }

    /// <summary>SHA-256 of the signed data, lower-case hex (for raw digests: the digest given).</summary>
    public string? DataSha256 { get; init; }

    /// <summary>SHA-256 of the signature (raw) or of the whole CMS, lower-case hex.</summary>
    public required string SignatureSha256 { get; init; }

    public EvidenceCertificate? Certificate { get; init; }

    public EvidenceRevocation? Revocation { get; init; }

    public DateTimeOffset? SigningTime { get; init; }

    public EncryptedEnvelope? Holder { get; init; }
}

public sealed record EvidenceCertificate(
    string SerialNumber,
    string Fingerprint,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string? IssuerKeyId = null,
    string? IssuerFingerprint = null);

public sealed record EvidenceRevocation(string Status, string Source, DateTimeOffset CheckedAt, DateTimeOffset? ProducedAt, DateTimeOffset? RevokedAt, string? Reason);

/// <summary>AES-256-GCM ciphertext whose data key is wrapped by a key-service key (envelope encryption).</summary>
public sealed record EncryptedEnvelope(string Alg, string KeyName, string KeyId, string WrapAlg, string WrappedKey, string Nonce, string Ciphertext, string Tag);

/// <summary><c>GET /api/signatures/receipts/{id}</c>: the sealed receipt (compact JWS) and, for convenience, its decoded payload.</summary>
public sealed record SignatureReceiptResponse(string ReceiptId, string Jws, SignatureEvidence Evidence);

/// <summary>Roles of service clients for signature routes.</summary>
public static class SignatureRoles
{
    /// <summary>May verify signatures and read receipts.</summary>
    public const string Verify = "signatures.verify";
}

/// <summary><c>Signatures:*</c>.</summary>
public sealed record SignaturesOptions
{
    /// <summary><c>Signatures:StoreHolderData</c>: put the 基本4情報 into receipts, envelope-encrypted. Default false.</summary>
    public bool StoreHolderData { get; init; }
}
