using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Jpki;
using ServerlessMyKey.Core.Signatures;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Hpki;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// A doctor's (or other health professional's) HPKI signature, raw or CMS as <c>/api/signatures/verifications</c>,
/// verified against the HPKI anchors and CRLs, with the qualification (hcRole) read from the certificate.
/// The JPKI complement: the same person's JPKI signing-certificate signature over the same data, whose 氏名
/// and date of birth must agree with the HPKI certificate's (<c>jpkiMatch</c>). A refusal is a verdict
/// (<c>valid:false</c> with the JPKI library's code); only malformed input is a 400.
/// </summary>
public sealed class HpkiVerifications(HpkiCertificateVerifier hpki, JpkiCertificateVerifier jpki, ILogger<HpkiVerifications> logger)
{
    private const int MaxCertificateBytes = 16 * 1024;
    private const int MaxSignatureBytes = 1024;

    public async Task<HpkiVerificationResponse> VerifyAsync(HpkiVerificationRequest request, Security.ServiceClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var (result, digest, signingTime) = request.Cms is not null ? await VerifyCmsAsync(request, cancellationToken) : await VerifyRawAsync(request, cancellationToken);
        if (!result.Succeeded)
        {
            logger.LogInformation("HPKI verification for client {ClientId}: {Code} ({Detail})", client.ClientId, result.Failure.CodeName, result.Failure.Detail);
            return new HpkiVerificationResponse(false, result.Failure.CodeName);
        }

        var doctor = result.Value;
        var (jpkiMatch, jpkiCode) = request.Jpki is null ? (null, null) : await MatchJpkiAsync(doctor, request.Jpki, digest, cancellationToken);
        logger.LogInformation("HPKI verification for client {ClientId}: valid, certificate {SerialNumber}, hcRole {HcRole}, jpkiMatch {JpkiMatch}",
            client.ClientId, doctor.Certificate.SerialNumber, doctor.HcRole, jpkiMatch?.ToString() ?? "-");
        return new HpkiVerificationResponse(true, null, doctor.HcRole, doctor.Name, doctor.Certificate.SerialNumber, doctor.Certificate.NotAfter, jpkiMatch, jpkiCode, signingTime);
    }

    private async Task<(JpkiResult<HpkiVerifiedCertificate> Result, byte[] Digest, DateTimeOffset? SigningTime)> VerifyRawAsync(HpkiVerificationRequest request, CancellationToken cancellationToken)
    {
        var certificate = Base64Input.Decode(request.Certificate, "certificate", MaxCertificateBytes);
        var signature = Base64Input.Decode(request.Signature, "signature", MaxSignatureBytes);
        var digest = RawSignatureDigest.FromRequest(request.Data, request.Digest);

        if (!JpkiCertificate.TryParse(certificate, out _))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'certificate' is not a DER-encoded X.509 certificate.");
        }

        var verified = await hpki.VerifyAsync(certificate, cancellationToken);
        if (!verified.Succeeded)
        {
            return (verified, digest, null);
        }

        var check = SignatureCheck.VerifyDigest(verified.Value.Certificate, digest, signature);
        return (check.Succeeded ? verified : JpkiResult<HpkiVerifiedCertificate>.Fail(check.Failure.Code, check.Failure.Detail), digest, null);
    }

    private async Task<(JpkiResult<HpkiVerifiedCertificate> Result, byte[] Digest, DateTimeOffset? SigningTime)> VerifyCmsAsync(HpkiVerificationRequest request, CancellationToken cancellationToken)
    {
        if (request.Certificate is not null || request.Signature is not null || request.Digest is not null)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "A CMS signature carries its certificate and signature: send only 'cms' and, when detached, 'data'.");
        }

        var container = Base64Input.Decode(request.Cms, "cms");
        var data = request.Data is null ? null : Base64Input.Decode(request.Data, "data");

        // The CMS rules of JPKI signatures, with the signer's certificate verified as an HPKI certificate.
        HpkiVerifiedCertificate? doctor = null;
        var cms = JpkiCmsVerifier.ForSigners(async (der, ct) =>
        {
            var verified = await hpki.VerifyAsync(der, ct);
            if (!verified.Succeeded)
            {
                return JpkiResult<JpkiVerifiedCertificate>.Fail(verified.Failure.Code, verified.Failure.Detail);
            }

            doctor = verified.Value;
            return JpkiResult<JpkiVerifiedCertificate>.Success(verified.Value.Certificate);
        });
        var result = await cms.VerifyAsync(container, data, cancellationToken);
        if (!result.Succeeded)
        {
            return JpkiErrorMapping.IsMalformedSignatureInput(result.Failure.Code)
                ? throw new ServiceException(ErrorCodes.InvalidRequest, result.Failure.Detail)
                : (JpkiResult<HpkiVerifiedCertificate>.Fail(result.Failure.Code, result.Failure.Detail), [], null);
        }

        return (JpkiResult<HpkiVerifiedCertificate>.Success(doctor!), result.Value.ContentSha256, result.Value.SigningTime);
    }

    // JPKI complement: a valid JPKI signing certificate of the same person signed the same data.
    private async Task<(bool? Match, string? Code)> MatchJpkiAsync(HpkiVerifiedCertificate doctor, SignatureProof proof, byte[] digest, CancellationToken cancellationToken)
    {
        var (certificate, signature) = DelegationSignatures.ParseProof(proof);
        var verified = await jpki.VerifyAsync(certificate, JpkiCertificateKind.Signing, cancellationToken);
        if (!verified.Succeeded)
        {
            return (false, verified.Failure.CodeName);
        }

        var check = SignatureCheck.VerifyDigest(verified.Value, digest, signature);
        if (!check.Succeeded)
        {
            return (false, check.Failure.CodeName);
        }

        var holder = BasicFourInformation.FromCertificate(verified.Value.Certificate);
        if (!holder.Succeeded || doctor.DateOfBirth is not { } birth)
        {
            return (false, "holder_data_unavailable");
        }

        var same = MedicalNames.AreSame(doctor.Name, holder.Value.Name) && holder.Value.DateOfBirth.IsoDate == MedicalFields.Format(birth);
        return (same, same ? null : "holder_mismatch");
    }
}
