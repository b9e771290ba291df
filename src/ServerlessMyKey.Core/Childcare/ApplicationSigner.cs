using System.Security.Cryptography;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Jpki;
using ServerlessMyKey.Core.Signatures;
using ServerlessMyKey.Jpki;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>
/// Checks a signed document of the one-stop service with the JPKI signature verification of
/// <c>POST /api/signatures/verifications</c> (pinned roots, revocation, a sealed receipt): the signer's
/// 基本4情報 come from the signing certificate. A refusal is the login code (401) of the JPKI failure.
/// </summary>
public sealed class ApplicationSigner(SignatureVerifications verifications)
{
    public async Task<SignedBy> VerifyAsync(SignatureProof? proof, byte[] data, CancellationToken cancellationToken = default)
    {
        var (certificate, signature) = DelegationSignatures.ParseProof(proof);
        var answer = await verifications.VerifyAsync(
            new SignatureVerificationRequest(Convert.ToBase64String(certificate), Convert.ToBase64String(signature), Convert.ToBase64String(data), null, null),
            cancellationToken);
        if (!answer.Valid || answer.Holder is null)
        {
            throw new ServiceException(Refusal(answer.Code), $"The signature was refused ({answer.Code}); receipt {answer.ReceiptId}.");
        }

        return new SignedBy(answer.Holder, answer.ReceiptId, SignerKey(certificate));
    }

    /// <summary>The key under which a signing certificate is linked to a MyKey ID: its SHA-256.</summary>
    public static string SignerKey(byte[] certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate));

    private static ErrorCode Refusal(string? code)
    {
        foreach (var jpki in Enum.GetValues<JpkiErrorCode>())
        {
            if (JpkiErrors.Code(jpki) == code)
            {
                return JpkiErrorMapping.ForLogin(jpki);
            }
        }

        return ErrorCodes.SignatureInvalid;
    }
}

/// <summary>A verified signer: the 基本4情報 (personal data: never logged), the sealed receipt, the certificate's hash.</summary>
public sealed record SignedBy(HolderView Holder, string ReceiptId, string SignerKey);
