using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Jpki;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Auth;

/// <summary>
/// JPKI login (利用者証明用電子証明書): a consumed challenge, an authentication certificate that
/// chains to a pinned root and is valid and not revoked, and its RSASSA-PKCS1-v1_5/SHA-256
/// signature over the challenge bytes give the certificate's MyKey ID and an access token.
/// </summary>
public sealed class JpkiLogin(
    LoginChallenges challenges,
    JpkiCertificateVerifier verifier,
    MyKeyIds myKeyIds,
    AccessTokens tokens,
    ILogger<JpkiLogin> logger)
{
    private const int MaxCertificateBytes = 16 * 1024;
    private const int MaxSignatureBytes = 1024;

    public async Task<LoginSession> LoginAsync(LoginProof proof, CancellationToken cancellationToken = default)
    {
        var (verified, audience) = await VerifyProofAsync(proof, cancellationToken);
        var myKeyId = await myKeyIds.GetOrCreateAsync(Binding(verified), cancellationToken);
        logger.LogInformation("Login of MyKey ID {MyKeyId} with certificate {SerialNumber} of root {RootKeyId}", myKeyId, verified.SerialNumber, verified.Issuer.KeyIdentifier);
        return await SessionAsync(myKeyId, verified, audience, cancellationToken);
    }

    /// <summary>
    /// Re-binding after renewal: a session of the old certificate plus a signed challenge of the new
    /// one moves the MyKey ID to the new certificate.
    /// </summary>
    public async Task<LoginSession> RelinkAsync(Citizen current, LoginProof newCertificateProof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        var (verified, audience) = await VerifyProofAsync(newCertificateProof, cancellationToken);
        await myKeyIds.RelinkAsync(current.MyKeyId, Binding(verified), cancellationToken);
        logger.LogInformation("MyKey ID {MyKeyId} relinked from certificate {OldSerialNumber} to {SerialNumber}", current.MyKeyId, current.CertificateSerialNumber, verified.SerialNumber);
        return await SessionAsync(current.MyKeyId, verified, audience, cancellationToken);
    }

    /// <summary>
    /// The MyKey ID a login proof identifies, without issuing an access token: for flows that issue
    /// credentials of their own (OpenID Connect codes, gate entry). The challenge is spent as in a login.
    /// </summary>
    public async Task<IdentifiedHolder> IdentifyAsync(LoginProof proof, CancellationToken cancellationToken = default)
    {
        var (verified, _) = await VerifyProofAsync(proof, cancellationToken);
        var myKeyId = await myKeyIds.GetOrCreateAsync(Binding(verified), cancellationToken);
        return new IdentifiedHolder(myKeyId, verified);
    }

    private async Task<(JpkiVerifiedCertificate Certificate, string? Audience)> VerifyProofAsync(LoginProof proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proof);

        // Malformed input is a 400 and leaves the challenge unused.
        var certificate = Base64Input.Decode(proof.Certificate, "certificate", MaxCertificateBytes);
        var signature = Base64Input.Decode(proof.Signature, "signature", MaxSignatureBytes);
        if (!JpkiCertificate.TryParse(certificate, out _))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'certificate' is not a DER-encoded X.509 certificate.");
        }

        // Single use: the challenge is spent whatever the outcome below.
        var challenge = await challenges.ConsumeAsync(proof.ChallengeId, cancellationToken);

        var verified = await verifier.VerifyAsync(certificate, JpkiCertificateKind.Authentication, cancellationToken);
        if (!verified.Succeeded)
        {
            throw Refused(verified.Failure);
        }

        var signatureCheck = verifier.VerifySignature(verified.Value, challenge.Value, signature);
        if (!signatureCheck.Succeeded)
        {
            throw Refused(signatureCheck.Failure);
        }

        return (verified.Value, challenge.Audience);
    }

    private async Task<LoginSession> SessionAsync(string myKeyId, JpkiVerifiedCertificate certificate, string? audience, CancellationToken cancellationToken)
    {
        var token = await tokens.IssueAsync(new Citizen(myKeyId, certificate.SerialNumber, certificate.NotAfter), audience, cancellationToken);
        return new LoginSession(myKeyId, token, certificate.SerialNumber, certificate.NotAfter);
    }

    private ServiceException Refused(JpkiFailure failure)
    {
        logger.LogInformation("Login refused: {Code} ({Detail})", failure.CodeName, failure.Detail);
        return new ServiceException(JpkiErrorMapping.ForLogin(failure.Code), failure.Detail);
    }

    private static string Binding(JpkiVerifiedCertificate certificate) =>
        MyKeyIds.CertificateBinding(certificate.Issuer.KeyIdentifierBytes.Span, certificate.Certificate.SerialNumberBytes.Span);
}

/// <summary>What a client sends to log in: the challenge it signed, its certificate and the signature (base64).</summary>
public sealed record LoginProof(string? ChallengeId, string? Certificate, string? Signature);

/// <summary>A verified login proof: the MyKey ID and the authentication certificate that proved it.</summary>
public sealed record IdentifiedHolder(string MyKeyId, JpkiVerifiedCertificate Certificate);

/// <summary>A successful login.</summary>
public sealed record LoginSession(string MyKeyId, IssuedToken Token, string CertificateSerialNumber, DateTimeOffset CertificateNotAfter);
