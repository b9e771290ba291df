using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Oidc;

/// <summary>
/// The authorization endpoint (OpenID Connect Core §3.1.2): the client and its exact redirect URI
/// are checked first, and while either is unverified a refusal is shown to the browser, never
/// redirected (RFC 6749 §4.1.2.1); every other refusal goes back to the verified redirect URI
/// with <c>error</c> and <c>state</c>. An accepted request is stored with a fresh login challenge
/// and the browser goes to the login page with its id.
/// </summary>
public sealed partial class AuthorizationRequests(OidcOptions options, IOidcStore store, LoginChallenges challenges)
{
    public const string OpenIdScope = "openid";

    /// <summary>Releases the 基本4情報 from a signing certificate signed in the same flow.</summary>
    public const string Basic4Scope = "jpki_basic4";

    private static readonly string[] SupportedScopes = [OpenIdScope, Basic4Scope];

    /// <summary>Where the browser goes next: the login page, or the client's redirect URI with an error.</summary>
    /// <exception cref="OAuthException">The client or redirect URI is unknown: show it, do not redirect.</exception>
    public async Task<string> AuthorizeAsync(IReadOnlyDictionary<string, string> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);

        // RFC 6749 §4.1.2.1: until client_id and redirect_uri are verified, nothing is redirected.
        var client = options.FindClient(Value(query, "client_id"))
            ?? throw OAuthException.InvalidRequest("client_id is missing or not a registered client.");
        var redirectUri = Value(query, "redirect_uri");
        if (!client.HasRedirectUri(redirectUri))
        {
            throw OAuthException.InvalidRequest("redirect_uri is missing or not registered for this client (exact match).");
        }

        var state = Value(query, "state");
        string Fail(string error, string description) => RedirectUris.WithParameters(redirectUri!, ("error", error), ("error_description", description), ("state", state));

        if (state is { Length: > MaxStateLength })
        {
            return RedirectUris.WithParameters(redirectUri!, ("error", OAuthErrors.InvalidRequest), ("error_description", "state is longer than 512 characters."));
        }

        if (query.ContainsKey("request") || query.ContainsKey("request_uri"))
        {
            return Fail(OAuthErrors.RequestNotSupported, "Request objects are not supported.");
        }

        if (Value(query, "response_type") != "code")
        {
            return Fail(OAuthErrors.UnsupportedResponseType, "Only response_type=code (authorization code flow) is supported.");
        }

        if (Value(query, "response_mode") is { } mode && mode != "query")
        {
            return Fail(OAuthErrors.InvalidRequest, "Only response_mode=query is supported.");
        }

        var scopes = (Value(query, "scope") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (!scopes.Contains(OpenIdScope) || scopes.Any(s => !SupportedScopes.Contains(s)))
        {
            return Fail(OAuthErrors.InvalidScope, "scope must contain openid and may contain only openid and jpki_basic4.");
        }

        // RFC 7636 §4.3 and §4.4.1: PKCE is required, and only S256.
        var codeChallenge = Value(query, "code_challenge");
        if (codeChallenge is null || Value(query, "code_challenge_method") != "S256" || !Pkce.IsChallenge(codeChallenge))
        {
            return Fail(OAuthErrors.InvalidRequest, "PKCE is required: code_challenge (43 base64url characters) with code_challenge_method=S256.");
        }

        var nonce = Value(query, "nonce");
        if (nonce is { Length: > MaxNonceLength })
        {
            return Fail(OAuthErrors.InvalidRequest, "nonce is longer than 256 characters.");
        }

        // OpenID Connect Core §3.1.2.1 prompt and max_age. There is no provider session: every request ends in a fresh card
        // login, so login, consent and select_account are always honoured, any max_age is met (the ID token's auth_time is
        // that login), and none can never be (§3.1.2.6 login_required).
        var prompts = (Value(query, "prompt") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (prompts.Any(p => !PromptValues.Contains(p, StringComparer.Ordinal)) || (prompts.Contains(PromptNone) && prompts.Length > 1))
        {
            return Fail(OAuthErrors.InvalidRequest, "prompt may be none (alone), or any of login, consent and select_account.");
        }

        if (Value(query, "max_age") is { } maxAge && !MaxAgeFormat().IsMatch(maxAge))
        {
            return Fail(OAuthErrors.InvalidRequest, "max_age must be a number of seconds (0 or more).");
        }

        if (prompts.Contains(PromptNone))
        {
            return Fail(OAuthErrors.LoginRequired, "Every sign-in needs the card: there is no session to use without showing the login page.");
        }

        var challenge = await challenges.CreateAsync(ChallengeUse.Oidc, cancellationToken: cancellationToken);
        var request = new AuthorizationRequest(
            "ar_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            client.ClientId, redirectUri!, scopes, state, nonce, codeChallenge, challenge.Id, challenge.Value, challenge.ExpiresAt);
        await store.CreateRequestAsync(request, cancellationToken);
        return RedirectUris.WithParameters(options.LoginPageUrl, ("requestId", request.RequestId));
    }

    /// <summary>An open request, or <c>authorization_request_not_found</c>, <c>…_expired</c>, <c>…_used</c>.</summary>
    public async Task<AuthorizationRequest> GetOpenAsync(string? requestId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (requestId is null || !RequestIdFormat().IsMatch(requestId) || await store.FindRequestAsync(requestId, cancellationToken) is not { } found)
        {
            throw new ServiceException(ErrorCodes.AuthorizationRequestNotFound);
        }

        if (found.Completed)
        {
            throw new ServiceException(ErrorCodes.AuthorizationRequestUsed);
        }

        return found.Request.ExpiresAt <= now ? throw new ServiceException(ErrorCodes.AuthorizationRequestExpired) : found.Request;
    }

    private const string PromptNone = "none";

    /// <summary>The <c>prompt</c> values understood (OpenID Connect Core §3.1.2.1), for discovery too.</summary>
    public static IReadOnlyList<string> PromptValues { get; } = [PromptNone, "login", "consent", "select_account"];

    private const int MaxStateLength = 512;
    private const int MaxNonceLength = 256;

    private static string? Value(IReadOnlyDictionary<string, string> query, string name) =>
        query.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    [GeneratedRegex(@"^[0-9]{1,9}\z")]
    private static partial Regex MaxAgeFormat();

    [GeneratedRegex(@"^ar_[A-Za-z0-9_-]{22}\z")]
    private static partial Regex RequestIdFormat();
}

/// <summary>Appends query parameters to a registered URI (which may carry a query of its own).</summary>
public static class RedirectUris
{
    public static string WithParameters(string uri, params (string Name, string? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(parameters);
        var query = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value!)));
        return uri + (uri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
    }
}
