using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Jpki;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Corporate;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// Who signed a delegation document or statement. People (delegates, and the delegate who signs a
/// sub-delegation) sign with a JPKI signing certificate; a delegator signs with one too (sole traders,
/// representatives) or with a certificate of a configured corporate CA (商業登記電子証明書). The issuer
/// named by the certificate decides the path. Certificate failures answer with the login codes (401).
/// </summary>
public sealed class DelegationSignatures(JpkiCertificateVerifier jpki, CorporateCertificateVerifier corporate, ILogger<DelegationSignatures> logger)
{
    private const int MaxCertificateBytes = 16 * 1024;
    private const int MaxSignatureBytes = 1024;

    /// <summary>A person's signature: a valid, unrevoked JPKI signing certificate whose key signed <paramref name="data"/>.</summary>
    public async Task<JpkiVerifiedCertificate> VerifyPersonAsync(SignatureProof? proof, byte[] data, CancellationToken cancellationToken = default)
    {
        var (certificate, signature) = ParseProof(proof);
        return Checked(await jpki.VerifyAsync(certificate, JpkiCertificateKind.Signing, cancellationToken), signature, data);
    }

    /// <summary>
    /// The delegator's signature: when the certificate names a configured corporate CA
    /// (<c>Delegation:DelegatorTrustAnchors</c>) it must verify as a corporate certificate, otherwise as a
    /// JPKI signing certificate. With no corporate CA configured, a corporate certificate is <c>certificate_untrusted</c>.
    /// </summary>
    public async Task<DelegatorSigner> VerifyDelegatorAsync(SignatureProof? proof, byte[] data, CancellationToken cancellationToken = default)
    {
        var (certificate, signature) = ParseProof(proof);
        var isCorporate = corporate.NamesCorporateIssuer(JpkiCertificate.Parse(certificate));
        var verified = isCorporate
            ? await corporate.VerifyAsync(certificate, cancellationToken)
            : await jpki.VerifyAsync(certificate, JpkiCertificateKind.Signing, cancellationToken);
        return new DelegatorSigner(Checked(verified, signature, data), isCorporate);
    }

    /// <summary>The base64 certificate (one DER X.509 certificate) and signature of a proof; <c>400 invalid_request</c> otherwise.</summary>
    public static (byte[] Certificate, byte[] Signature) ParseProof(SignatureProof? proof)
    {
        if (proof is null)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'signature' is required.");
        }

        var certificate = Base64Input.Decode(proof.Certificate, "signature.certificate", MaxCertificateBytes);
        var signature = Base64Input.Decode(proof.Signature, "signature.signature", MaxSignatureBytes);
        return JpkiCertificate.TryParse(certificate, out _)
            ? (certificate, signature)
            : throw new ServiceException(ErrorCodes.InvalidRequest, "'signature.certificate' is not a DER-encoded X.509 certificate.");
    }

    /// <summary>The 氏名 of a JPKI signing certificate's 基本4情報 is <paramref name="expectedName"/> (see <see cref="HolderNames"/>).</summary>
    public static void RequireHolder(JpkiVerifiedCertificate signer, string expectedName, string field)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var holder = BasicFourInformation.FromCertificate(signer.Certificate);
        if (!holder.Succeeded || !HolderNames.AreSame(expectedName, holder.Value.Name))
        {
            throw new ServiceException(ErrorCodes.HolderNameMismatch, $"'{field}' is not the name in the signing certificate.");
        }
    }

    private JpkiVerifiedCertificate Checked(JpkiResult<JpkiVerifiedCertificate> verified, byte[] signature, byte[] data)
    {
        if (!verified.Succeeded)
        {
            throw Refused(verified.Failure);
        }

        var check = jpki.VerifySignature(verified.Value, data, signature);
        return check.Succeeded ? verified.Value : throw Refused(check.Failure);
    }

    private ServiceException Refused(JpkiFailure failure)
    {
        logger.LogInformation("Delegation statement refused: {Code} ({Detail})", failure.CodeName, failure.Detail);
        return new ServiceException(JpkiErrorMapping.ForLogin(failure.Code), failure.Detail);
    }
}

/// <summary>A delegator's verified certificate, from the JPKI path or the corporate path.</summary>
public sealed record DelegatorSigner(JpkiVerifiedCertificate Certificate, bool IsCorporate)
{
    /// <summary>
    /// The certificate names the delegator of the document: a corporate certificate's 会社法人等番号 gives
    /// <c>delegator.corporateNumber</c> (its 法人番号 is a check digit and those twelve digits); a JPKI
    /// certificate's holder is <c>representativeName</c>.
    /// </summary>
    public void RequireNames(Delegator delegator)
    {
        ArgumentNullException.ThrowIfNull(delegator);
        if (!IsCorporate)
        {
            DelegationSignatures.RequireHolder(Certificate, delegator.RepresentativeName, "delegation.delegator.representativeName");
            return;
        }

        var certified = CorporateNumber.FromCompanyNumber(CorporateCertificate.CompanyNumber(Certificate.Certificate));
        if (!string.Equals(certified, delegator.CorporateNumber, StringComparison.Ordinal))
        {
            throw new ServiceException(ErrorCodes.CorporationMismatch, "'delegation.delegator.corporateNumber' is not the corporation of the signing certificate.");
        }
    }
}
