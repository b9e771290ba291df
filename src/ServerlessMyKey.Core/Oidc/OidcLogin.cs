using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Jpki;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Signatures;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Core.Oidc;

/// <summary>
/// The login step of an authorization request: the holder's authentication certificate signs the
/// request's challenge (as <c>POST /api/auth/sessions</c>); with <c>jpki_basic4</c> the signing
/// certificate signs the same challenge too, which releases its 基本4情報. Signing is the holder's
/// consent to the scopes the page showed. The answer is the client's redirect URI with a
/// single-use code; the request can be completed once.
/// </summary>
public sealed class OidcLogin(
    OidcOptions options,
    IOidcStore store,
    AuthorizationRequests requests,
    JpkiLogin login,
    JpkiCertificateVerifier verifier,
    MyKeyIds myKeyIds,
    CardholderIdentities identities,
    PairwiseSubjects subjects,
    EnvelopeEncryption envelopes,
    TimeProvider timeProvider,
    ILogger<OidcLogin> logger)
{
    /// <summary>What the login page shows before the card is read.</summary>
    public async Task<AuthorizationRequestView> DescribeAsync(string? requestId, CancellationToken cancellationToken = default)
    {
        var request = await requests.GetOpenAsync(requestId, timeProvider.GetUtcNow(), cancellationToken);
        var client = options.FindClient(request.ClientId) ?? throw new ServiceException(ErrorCodes.AuthorizationRequestNotFound);
        return new AuthorizationRequestView(client.ClientId, client.Name, request.Scopes, request.ChallengeId, Base64Url.EncodeToString(request.Challenge), request.ExpiresAt);
    }

    /// <summary>Verifies the card's signatures and answers the redirect with a code.</summary>
    public async Task<string> LoginAsync(string? requestId, OidcLoginProof proof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var request = await requests.GetOpenAsync(requestId, timeProvider.GetUtcNow(), cancellationToken);
        var client = options.FindClient(request.ClientId) ?? throw new ServiceException(ErrorCodes.AuthorizationRequestNotFound);
        if (!string.Equals(proof.ChallengeId, request.ChallengeId, StringComparison.Ordinal))
        {
            throw new ServiceException(ErrorCodes.ChallengeNotFound, "The challenge is not this request's.");
        }

        // Malformed input is a 400 and leaves the request open: the whole body is decoded before the request is completed.
        var authentication = new LoginProof(proof.ChallengeId, proof.Certificate, proof.Signature);
        JpkiLogin.EnsureWellFormed(authentication);
        var basic4 = request.Scopes.Contains(AuthorizationRequests.Basic4Scope);
        (byte[] Certificate, byte[] Signature)? signing = null;
        if (basic4)
        {
            if (proof.Signing is null)
            {
                throw new ServiceException(ErrorCodes.SigningSignatureRequired);
            }

            signing = (JpkiLogin.DecodeCertificate(proof.Signing.Certificate, "signing.certificate"),
                JpkiLogin.DecodeSignature(proof.Signing.Signature, "signing.signature"));
        }

        // Single use: the request ends here whatever the outcome (its challenge is spent below).
        if (!await store.CompleteRequestAsync(request.RequestId, cancellationToken))
        {
            throw new ServiceException(ErrorCodes.AuthorizationRequestUsed);
        }

        var holder = await login.IdentifyOrEnrollAsync(authentication, ChallengeUse.Oidc, cancellationToken);
        var subject = subjects.For(client, holder.MyKeyId);
        string? claims = null;
        if (signing is { } signed)
        {
            var info = await VerifySigningAsync(signed.Certificate, signed.Signature, request.Challenge, cancellationToken);

            // As at POST /api/auth/sessions with an identity: the first 基本4情報 on record for the MyKey ID stick,
            // so that nobody's authentication certificate releases another person's 基本4情報 (identity_mismatch).
            await myKeyIds.RecordIdentityAsync(holder.MyKeyId, await identities.HashAsync(info, cancellationToken), cancellationToken);
            claims = await SealAsync(ToClaims(info), client.ClientId, subject, cancellationToken);
        }

        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = timeProvider.GetUtcNow();
        await store.CreateCodeAsync(
            new AuthorizationCode(CodeHash(code), client.ClientId, request.RedirectUri, request.CodeChallenge, request.Nonce, request.Scopes, subject, now, claims, now + options.CodeLifetime),
            cancellationToken);
        logger.LogInformation("Authorization request {RequestId} of client {ClientId} completed with certificate {SerialNumber}", request.RequestId, client.ClientId, holder.Certificate.SerialNumber);
        return RedirectUris.WithParameters(request.RedirectUri, ("code", code), ("state", request.State));
    }

    /// <summary>The holder declined: the client is told <c>access_denied</c>.</summary>
    public async Task<string> DenyAsync(string? requestId, CancellationToken cancellationToken = default)
    {
        var request = await requests.GetOpenAsync(requestId, timeProvider.GetUtcNow(), cancellationToken);
        if (!await store.CompleteRequestAsync(request.RequestId, cancellationToken))
        {
            throw new ServiceException(ErrorCodes.AuthorizationRequestUsed);
        }

        return RedirectUris.WithParameters(request.RedirectUri, ("error", OAuthErrors.AccessDenied), ("error_description", "The holder declined."), ("state", request.State));
    }

    /// <summary>The stored key of a code: SHA-256, hex (the code itself is never stored).</summary>
    public static string CodeHash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(code)));

    /// <summary>Associated data binding sealed claims to their client and subject.</summary>
    public static byte[] ClaimsAssociatedData(string clientId, string subject) => Encoding.UTF8.GetBytes("oidc-claims\n" + clientId + "\n" + subject);

    private static HolderClaims ToClaims(BasicFourInformation info) => new(info.Name, info.Address, info.DateOfBirth.IsoDate, info.SexName);

    private async Task<BasicFourInformation> VerifySigningAsync(byte[] certificate, byte[] signature, byte[] challenge, CancellationToken cancellationToken)
    {
        var verified = await verifier.VerifyAsync(certificate, JpkiCertificateKind.Signing, cancellationToken);
        var failure = verified.Succeeded ? verifier.VerifySignature(verified.Value, challenge, signature).Failure : verified.Failure;
        if (failure is not null || !verified.Succeeded)
        {
            failure ??= verified.Failure!;
            logger.LogInformation("Signing certificate refused in an authorization request: {Code}", failure.CodeName);
            throw new ServiceException(JpkiErrorMapping.ForLogin(failure.Code), failure.Detail);
        }

        var info = BasicFourInformation.FromCertificate(verified.Value.Certificate);
        return info.Succeeded
            ? info.Value
            : throw new ServiceException(ErrorCodes.CertificateUntrusted, info.Failure.Detail);
    }

    private async Task<string> SealAsync(HolderClaims claims, string clientId, string subject, CancellationToken cancellationToken)
    {
        var envelope = await envelopes.EncryptAsync(JsonSerializer.SerializeToUtf8Bytes(claims, OidcJson.Default.HolderClaims), ClaimsAssociatedData(clientId, subject), cancellationToken);
        return JsonSerializer.Serialize(envelope, OidcJson.Default.EncryptedEnvelope);
    }
}

/// <summary>The body of <c>POST /api/oidc/requests/{requestId}/login</c>.</summary>
public sealed record OidcLoginProof(string? ChallengeId, string? Certificate, string? Signature, SigningProof? Signing);

/// <summary>The signing certificate and its signature over the same challenge (for <c>jpki_basic4</c>).</summary>
public sealed record SigningProof(string? Certificate, string? Signature);

/// <summary>What the login page shows: the client, the scopes to consent to, the challenge for the card.</summary>
public sealed record AuthorizationRequestView(string ClientId, string ClientName, IReadOnlyList<string> Scopes, string ChallengeId, string Challenge, DateTimeOffset ExpiresAt);

/// <summary>The 基本4情報 as OpenID Connect claims (name, address, birthdate, gender).</summary>
public sealed record HolderClaims(string Name, string Address, string? Birthdate, string Gender);
