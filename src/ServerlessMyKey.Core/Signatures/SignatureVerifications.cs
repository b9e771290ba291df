using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Jpki;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Signatures;

/// <summary>
/// JPKI signature verification (署名用電子証明書, API.md "JPKI signatures"): a raw RSASSA-PKCS1-v1_5/SHA-256
/// signature over data or a digest, or CMS SignedData; the signer must hold a valid, unrevoked signing
/// certificate under a pinned root. Malformed input is a 400; every verdict (valid or not) is sealed
/// into a receipt. The 基本4情報 are returned to the caller and never logged.
/// </summary>
public sealed class SignatureVerifications(
    JpkiCertificateVerifier certificates,
    JpkiCmsVerifier cms,
    SignatureReceipts receipts,
    EnvelopeEncryption envelopes,
    SignaturesOptions options,
    TimeProvider timeProvider,
    ILogger<SignatureVerifications> logger)
{
    private const int MaxCertificateBytes = 16 * 1024;
    private const int MaxSignatureBytes = 1024;

    public async Task<SignatureVerificationResponse> VerifyAsync(SignatureVerificationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var verdict = request.Cms is not null ? await VerifyCmsAsync(request, cancellationToken) : await VerifyRawAsync(request, cancellationToken);
        var receiptId = SignatureReceipts.NewId();
        var holder = verdict.Holder is { } info ? ToView(info) : null;
        var evidence = verdict.Evidence with
        {
            ReceiptId = receiptId,
            VerifiedAt = timeProvider.GetUtcNow(),
            Holder = holder is not null && options.StoreHolderData
                ? await envelopes.EncryptAsync(JsonSerializer.SerializeToUtf8Bytes(holder, ApiJsonOptions.Options), Encoding.ASCII.GetBytes(receiptId), cancellationToken)
                : null,
        };
        await receipts.SealAndStoreAsync(evidence, cancellationToken);
        logger.LogInformation(
            "Signature verification {ReceiptId} ({Format}): {Outcome} for certificate {SerialNumber}",
            receiptId, evidence.Format, evidence.Code ?? "valid", evidence.Certificate?.SerialNumber ?? "-");

        if (verdict.Certificate is not { } certificate)
        {
            return new SignatureVerificationResponse(false, evidence.Code, receiptId);
        }

        return new SignatureVerificationResponse(
            true,
            null,
            receiptId,
            new VerifiedCertificateView("signing", certificate.SerialNumber, certificate.NotBefore, certificate.NotAfter),
            holder,
            new RevocationView(RevocationStatus(certificate.Revocation), certificate.Revocation.Source, certificate.Revocation.CheckedAt, certificate.Revocation.ProducedAt),
            verdict.Evidence.SigningTime);
    }

    private async Task<Verdict> VerifyRawAsync(SignatureVerificationRequest request, CancellationToken cancellationToken)
    {
        // Input: a certificate, a signature, and exactly one of data and digest.
        var certificateDer = Base64Input.Decode(request.Certificate, "certificate", MaxCertificateBytes);
        var signature = Base64Input.Decode(request.Signature, "signature", MaxSignatureBytes);
        var digest = RawSignatureDigest.FromRequest(request.Data, request.Digest);

        if (!JpkiCertificate.TryParse(certificateDer, out var parsed))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'certificate' is not a DER-encoded X.509 certificate.");
        }

        var evidence = NewEvidence(request.Data is not null ? "raw-data" : "raw-digest", digest, signature) with
        {
            Certificate = new EvidenceCertificate(parsed.SerialNumber, parsed.Fingerprint, parsed.NotBefore, parsed.NotAfter),
        };

        var verified = await certificates.VerifyAsync(certificateDer, JpkiCertificateKind.Signing, cancellationToken);
        if (!verified.Succeeded)
        {
            return Refused(evidence, verified.Failure);
        }

        var check = certificates.VerifyDigestSignature(verified.Value, digest, signature);
        return check.Succeeded ? Accepted(evidence, verified.Value) : Refused(evidence, check.Failure, verified.Value);
    }

    private async Task<Verdict> VerifyCmsAsync(SignatureVerificationRequest request, CancellationToken cancellationToken)
    {
        if (request.Certificate is not null || request.Signature is not null || request.Digest is not null)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "A CMS signature carries its certificate and signature: send only 'cms' and, when detached, 'data'.");
        }

        var container = Base64Input.Decode(request.Cms, "cms");
        var data = request.Data is null ? (byte[]?)null : Base64Input.Decode(request.Data, "data");
        var result = await cms.VerifyAsync(container, data, cancellationToken);
        var evidence = NewEvidence(data is null ? "cms-attached" : "cms-detached", data is null ? null : SHA256.HashData(data), container);
        if (!result.Succeeded)
        {
            return Refused(evidence, result.Failure);
        }

        var signature = result.Value;
        evidence = evidence with
        {
            DataSha256 = Convert.ToHexStringLower(signature.ContentSha256),
            SigningTime = signature.SigningTime,
        };
        return Accepted(evidence, signature.Certificate);
    }

    private Verdict Accepted(SignatureEvidence evidence, JpkiVerifiedCertificate certificate)
    {
        evidence = WithCertificate(evidence, certificate);

        // JPKI profile: a signing certificate carries the 基本4情報; without them it is not a usable one.
        var holder = BasicFourInformation.FromCertificate(certificate.Certificate);
        if (!holder.Succeeded)
        {
            return Refused(evidence, new JpkiFailure(JpkiErrorCode.CertificateProfileInvalid, holder.Failure.Detail), certificate);
        }

        return new Verdict(evidence with { Valid = true }, certificate, holder.Value);
    }

    private Verdict Refused(SignatureEvidence evidence, JpkiFailure failure, JpkiVerifiedCertificate? certificate = null)
    {
        // Malformed input is the caller's mistake, not a verdict: 400, and no receipt.
        if (JpkiErrorMapping.IsMalformedSignatureInput(failure.Code))
        {
            logger.LogInformation("Signature verification refused as malformed: {Code} ({Detail})", failure.CodeName, failure.Detail);
            throw new ServiceException(ErrorCodes.InvalidRequest, failure.Detail);
        }

        evidence = certificate is null ? evidence : WithCertificate(evidence, certificate);
        return new Verdict(evidence with { Valid = false, Code = failure.CodeName, Detail = failure.Detail }, null, null);
    }

    private static SignatureEvidence WithCertificate(SignatureEvidence evidence, JpkiVerifiedCertificate certificate)
    {
        var revocation = certificate.Revocation;
        return evidence with
        {
            Certificate = new EvidenceCertificate(
                certificate.SerialNumber, certificate.Certificate.Fingerprint, certificate.NotBefore, certificate.NotAfter,
                certificate.Issuer.KeyIdentifier, certificate.Issuer.Fingerprint),
            Revocation = new EvidenceRevocation(RevocationStatus(revocation), revocation.Source, revocation.CheckedAt, revocation.ProducedAt, revocation.RevokedAt, revocation.Reason?.ToString()),
        };
    }

    private static SignatureEvidence NewEvidence(string format, byte[]? dataDigest, byte[] signature) => new()
    {
        ReceiptId = string.Empty,
        VerifiedAt = default,
        Format = format,
        Valid = false,
        DataSha256 = dataDigest is null ? null : Convert.ToHexStringLower(dataDigest),
        SignatureSha256 = Convert.ToHexStringLower(SHA256.HashData(signature)),
    };

    private static string RevocationStatus(RevocationResult revocation) => revocation.State switch
    {
        RevocationState.Good => "good",
        RevocationState.Revoked => "revoked",
        RevocationState.NotChecked => "not_checked",
        _ => "unavailable",
    };

    private static HolderView ToView(BasicFourInformation info) => new(
        info.Name, info.Address, info.DateOfBirth.IsoDate, info.DateOfBirth.EraName, info.SexName, info.NameSubstitutePositions, info.AddressSubstitutePositions);

    private sealed record Verdict(SignatureEvidence Evidence, JpkiVerifiedCertificate? Certificate, BasicFourInformation? Holder);
}
