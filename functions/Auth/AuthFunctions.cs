using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Auth;

/// <summary>JPKI login (API.md "JPKI login"): challenges, sessions, the citizen's own record, the JWKS.</summary>
public sealed class AuthFunctions(
    LoginChallenges challenges,
    JpkiLogin login,
    ICitizenAuthenticator citizens,
    ServiceClientAuthenticator serviceClients,
    IKeyService keys,
    AuthOptions options,
    ClientRateLimiter rateLimits,
    ILogger<AuthFunctions> logger)
{
    // Challenges and sessions share one allowance per client address: a login is one of each.
    private const string LoginRateLimit = ClientRateLimiter.LoginPolicy;

    [Function("CreateLoginChallenge")]
    [ApiOperation("Auth", "Issues a single-use challenge (32 random bytes) for the card to sign. purpose: login (default; optional audience = the client the token is for) or a reader's purpose (ticket_gate, medical_eligibility, medical_checkin, shelter_checkin) with the reader's x-api-key: the proof is then accepted only at that purpose's route from that client (docs/auth.md \"Challenge purposes\").",
        RequestBody = typeof(ChallengeRequest), ResponseBody = typeof(ChallengeResponse), Responses = [201, 400, 401, 429])]
    public Task<IActionResult> CreateChallenge(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/challenges")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            if (rateLimits.Refuse(request, LoginRateLimit) is { } refused)
            {
                return refused;
            }

            var body = await RequestBody.ReadOptionalJsonAsync<ChallengeRequest>(request, cancellationToken);
            var use = UseOf(request, body);
            if (body?.Audience is { } audience && (use.Purpose != ChallengeUse.LoginPurpose || !serviceClients.IsClient(audience)))
            {
                throw new ServiceException(ErrorCodes.InvalidRequest, "'audience' must be a registered client id, and only on a login challenge.");
            }

            var challenge = await challenges.CreateAsync(use, body?.Audience, cancellationToken);
            return ApiJson.Created(new ChallengeResponse(challenge.Id, System.Buffers.Text.Base64Url.EncodeToString(challenge.Value), challenge.ExpiresAt, challenge.Purpose));
        });

    /// <summary>login (no key needed), or a reader's purpose bound to the client whose x-api-key asks for it; oidc is only the authorization endpoint's.</summary>
    private ChallengeUse UseOf(HttpRequest request, ChallengeRequest? body)
    {
        var purpose = body?.Purpose ?? ChallengeUse.LoginPurpose;
        if (purpose == ChallengeUse.LoginPurpose)
        {
            return ChallengeUse.Login;
        }

        if (!ChallengeUse.IsReaderPurpose(purpose))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'purpose' must be one of login, {string.Join(", ", ChallengeUse.ReaderPurposes)}.");
        }

        var reader = serviceClients.Authenticate(request.Headers[RequestAuthentication.ApiKeyHeader].ToString())
            ?? throw new ServiceException(ErrorCodes.Unauthenticated, $"A challenge for '{purpose}' is asked for by the reader itself, with its x-api-key.");
        return new ChallengeUse(purpose, reader.ClientId);
    }

    [Function("CreateSession")]
    [ApiOperation("Auth", "Logs in with the authentication certificate's signature over a challenge; returns the MyKey ID and an access token.", RequestBody = typeof(LoginProof), Responses = [200, 400, 401, 409, 429])]
    public Task<IActionResult> CreateSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/sessions")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            if (rateLimits.Refuse(request, LoginRateLimit) is { } refused)
            {
                return refused;
            }

            var proof = await RequestBody.ReadJsonAsync<LoginProof>(request, cancellationToken);
            return ApiJson.Ok(SessionResponse.From(await login.LoginAsync(proof, cancellationToken)));
        });

    [Function("Relink")]
    [ApiOperation("Auth", "Moves the caller's MyKey ID to a renewed authentication certificate (a session of the old one plus a signed challenge of the new one).", Caller = ApiCaller.Citizen, RequestBody = typeof(LoginProof), Responses = [200, 401, 409])]
    public Task<IActionResult> Relink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/relink")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            var proof = await RequestBody.ReadJsonAsync<LoginProof>(request, cancellationToken);
            return ApiJson.Ok(SessionResponse.From(await login.RelinkAsync(citizen, proof, cancellationToken)));
        });

    [Function("Me")]
    [ApiOperation("Auth", "The logged-in citizen's MyKey ID and certificate.", Caller = ApiCaller.Citizen, Responses = [200, 401])]
    public Task<IActionResult> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var citizen = await citizens.RequireCitizenAsync(request, cancellationToken);
            return ApiJson.Ok(new MeResponse(citizen.MyKeyId, new CertificateSummary(null, citizen.CertificateSerialNumber, citizen.CertificateNotAfter)));
        });

    [Function("Jwks")]
    [ApiOperation("Auth", "The JSON Web Key Set that verifies access tokens (and sealed receipts).")]
    public Task<IActionResult> Jwks(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "auth/jwks")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var published = await keys.GetPublishedKeysAsync(ServiceKeyNames.TokenSigning, options.JwksRotationOverlap, cancellationToken);
            var result = ApiJson.Ok(new JwksResponse([.. published.Select(key => key with { Alg = "ES256", Use = "sig" })]));
            result.Headers["Cache-Control"] = "public, max-age=300";
            return result;
        });
}

/// <summary>The body of <c>POST /api/auth/challenges</c> (optional): the purpose (default <c>login</c>) and, for a login, the client its token is for.</summary>
public sealed record ChallengeRequest(string? Audience, string? Purpose = null);

public sealed record ChallengeResponse(string ChallengeId, string Challenge, DateTimeOffset ExpiresAt, string Purpose);

public sealed record CertificateSummary(string? Kind, string SerialNumber, DateTimeOffset NotAfter);

public sealed record SessionResponse(string MyKeyId, string AccessToken, string TokenType, int ExpiresIn, CertificateSummary Certificate)
{
    public static SessionResponse From(LoginSession session) => new(
        session.MyKeyId,
        session.Token.Token,
        "Bearer",
        session.Token.ExpiresIn,
        new CertificateSummary("authentication", session.CertificateSerialNumber, session.CertificateNotAfter));
}

public sealed record MeResponse(string MyKeyId, CertificateSummary Certificate);

public sealed record JwksResponse(IReadOnlyList<PublicJsonWebKey> Keys);
