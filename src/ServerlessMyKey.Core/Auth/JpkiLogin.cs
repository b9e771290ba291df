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
    CardholderIdentities identities,
    AccessTokens tokens,
    ILogger<JpkiLogin> logger)
{
    private const int MaxCertificateBytes = 16 * 1024;
    private const int MaxSignatureBytes = 1024;

    public async Task<LoginSession> LoginAsync(LoginProof proof, CancellationToken cancellationToken = default)
    {
        var (verified, audience, identity) = await VerifyProofAsync(proof, ChallengeUse.Login, ExpiryGrace.None, cancellationToken);
        var myKeyId = await myKeyIds.GetOrCreateAsync(Binding(verified), cancellationToken);
        if (identity is not null)
        {
            // Possession of the bound card is proved here (not just a token): the first identity sticks.
            await myKeyIds.RecordIdentityAsync(myKeyId, identity, cancellationToken);
        }

        logger.LogInformation("Login of MyKey ID {MyKeyId} with certificate {SerialNumber} of root {RootKeyId}", myKeyId, verified.SerialNumber, verified.Issuer.KeyIdentifier);
        return await SessionAsync(myKeyId, verified, audience, cancellationToken);
    }

    /// <summary>
    /// Re-binding after renewal: the citizen's own session, a signed challenge of the new
    /// authentication certificate, and a signature over the same challenge by a signing certificate
    /// whose 基本4情報 give the identity on record (the same person) move the MyKey ID to the new
    /// certificate; the old certificate's binding is removed.
    /// </summary>
    public async Task<LoginSession> RelinkAsync(Citizen current, LoginProof newCertificateProof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(newCertificateProof);
        if (current.ClientId is not null)
        {
            throw new ServiceException(ErrorCodes.TokenClientMismatch, "Only the citizen's own session may relink.");
        }

        if (newCertificateProof.Identity is null)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'identity' (the signing certificate's signature over the challenge) is required to relink.");
        }

        var (verified, audience, identity) = await VerifyProofAsync(newCertificateProof, ChallengeUse.Login, ExpiryGrace.None, cancellationToken);
        await myKeyIds.RequireIdentityAsync(current.MyKeyId, identity!, cancellationToken);
        await myKeyIds.RelinkAsync(current.MyKeyId, Binding(verified), cancellationToken);
        logger.LogInformation("MyKey ID {MyKeyId} relinked from certificate {OldSerialNumber} to {SerialNumber}", current.MyKeyId, current.CertificateSerialNumber, verified.SerialNumber);
        return await SessionAsync(current.MyKeyId, verified, audience, cancellationToken);
    }

    /// <summary>
    /// Who is at the counter: a facility's reader sends the card's login proof, which is checked as for a
    /// login (single-use challenge, certificate, signature) but starts no session and creates no MyKey ID.
    /// <paramref name="grace"/> is for the one use whose rules accept a recently expired certificate
    /// (online insurance eligibility); everywhere else it is <see cref="ExpiryGrace.None"/>. The challenge must have been
    /// made for <paramref name="use"/> (the reader's purpose and client), else <c>challenge_purpose_mismatch</c>.
    /// </summary>
    /// <returns>The verified certificate and its MyKey ID, null when the certificate never logged in.</returns>
    public async Task<IdentifiedHolder> IdentifyAsync(LoginProof proof, ChallengeUse use, ExpiryGrace grace, CancellationToken cancellationToken = default)
    {
        var (verified, _, _) = await VerifyProofAsync(proof, use, grace, cancellationToken);
        return new IdentifiedHolder(await myKeyIds.FindAsync(Binding(verified), cancellationToken), verified);
    }

    /// <summary>
    /// The MyKey ID a login proof identifies (created on its first use, as in a login), without issuing an access token: for flows that issue
    /// credentials of their own (OpenID Connect codes). The challenge is spent as in a login and must have been made for <paramref name="use"/>.
    /// </summary>
    public async Task<EnrolledHolder> IdentifyOrEnrollAsync(LoginProof proof, ChallengeUse use, CancellationToken cancellationToken = default)
    {
        var (verified, _, _) = await VerifyProofAsync(proof, use, ExpiryGrace.None, cancellationToken);
        var myKeyId = await myKeyIds.GetOrCreateAsync(Binding(verified), cancellationToken);
        return new EnrolledHolder(myKeyId, verified);
    }

    /// <summary>
    /// Decodes a proof as a login does, without touching the challenge: <c>400 invalid_request</c> when a field is not
    /// base64 of the right size or a certificate is not DER. For callers that must refuse malformed input before spending
    /// something of their own (an OpenID Connect authorization request).
    /// </summary>
    public static void EnsureWellFormed(LoginProof proof) => _ = Decode(proof);

    /// <summary>Base64 of at most 16 KiB holding a DER certificate, else <c>400 invalid_request</c> naming <paramref name="field"/>.</summary>
    public static byte[] DecodeCertificate(string? value, string field)
    {
        var certificate = Base64Input.Decode(value, field, MaxCertificateBytes);
        return JpkiCertificate.TryParse(certificate, out _)
            ? certificate
            : throw new ServiceException(ErrorCodes.InvalidRequest, $"'{field}' is not a DER-encoded X.509 certificate.");
    }

    /// <summary>Base64 of at most 1 KiB, else <c>400 invalid_request</c> naming <paramref name="field"/>.</summary>
    public static byte[] DecodeSignature(string? value, string field) => Base64Input.Decode(value, field, MaxSignatureBytes);

    private static (byte[] Certificate, byte[] Signature, (byte[] Certificate, byte[] Signature)? Identity) Decode(LoginProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var certificate = DecodeCertificate(proof.Certificate, "certificate");
        var signature = DecodeSignature(proof.Signature, "signature");
        var identity = proof.Identity is { } given
            ? (DecodeCertificate(given.Certificate, "identity.certificate"), DecodeSignature(given.Signature, "identity.signature"))
            : default((byte[], byte[])?);
        return (certificate, signature, identity);
    }

    private async Task<(JpkiVerifiedCertificate Certificate, string? Audience, string? Identity)> VerifyProofAsync(LoginProof proof, ChallengeUse use, ExpiryGrace grace, CancellationToken cancellationToken)
    {
        // Malformed input is a 400 and leaves the challenge unused.
        var (certificate, signature, identityProof) = Decode(proof);

        // Single use: the challenge is spent whatever the outcome below (a challenge of another purpose or client included).
        var challenge = await challenges.ConsumeAsync(proof.ChallengeId, use, cancellationToken);

        var verified = await verifier.VerifyAsync(certificate, JpkiCertificateKind.Authentication, grace, cancellationToken);
        if (!verified.Succeeded)
        {
            throw Refused(verified.Failure);
        }

        var signatureCheck = verifier.VerifySignature(verified.Value, challenge.Value, signature);
        if (!signatureCheck.Succeeded)
        {
            throw Refused(signatureCheck.Failure);
        }

        var identity = identityProof is { } signed ? await IdentityAsync(signed.Certificate, signed.Signature, challenge.Value, cancellationToken) : null;
        return (verified.Value, challenge.Audience, identity);
    }

    /// <summary>The keyed hash of the 基本4情報 of a valid, unrevoked signing certificate whose key signed the challenge.</summary>
    private async Task<string> IdentityAsync(byte[] certificate, byte[] signature, byte[] challenge, CancellationToken cancellationToken)
    {
        var verified = await verifier.VerifyAsync(certificate, JpkiCertificateKind.Signing, cancellationToken);
        if (!verified.Succeeded)
        {
            throw Refused(verified.Failure);
        }

        var signatureCheck = verifier.VerifySignature(verified.Value, challenge, signature);
        if (!signatureCheck.Succeeded)
        {
            throw Refused(signatureCheck.Failure);
        }

        var holder = BasicFourInformation.FromCertificate(verified.Value.Certificate);
        return holder.Succeeded ? await identities.HashAsync(holder.Value, cancellationToken) : throw Refused(holder.Failure);
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

/// <summary>
/// What a client sends to log in: the challenge it signed, its certificate and the signature (base64);
/// optionally <paramref name="Identity"/>, the card's signing certificate and its signature over the
/// same challenge (kept as a keyed hash of the 基本4情報; required to relink).
/// </summary>
public sealed record LoginProof(string? ChallengeId, string? Certificate, string? Signature, IdentityProof? Identity = null);

/// <summary>A signing certificate (署名用電子証明書) and its signature over the login challenge (base64).</summary>
public sealed record IdentityProof(string? Certificate, string? Signature);

/// <summary>The holder of a verified login proof: their MyKey ID (null before their first login) and certificate.</summary>
public sealed record IdentifiedHolder(string? MyKeyId, JpkiVerifiedCertificate Certificate);

/// <summary>A verified login proof: the MyKey ID and the authentication certificate that proved it.</summary>
public sealed record EnrolledHolder(string MyKeyId, JpkiVerifiedCertificate Certificate);

/// <summary>A successful login.</summary>
public sealed record LoginSession(string MyKeyId, IssuedToken Token, string CertificateSerialNumber, DateTimeOffset CertificateNotAfter);
