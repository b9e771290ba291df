namespace ServerlessMyKey.Core.Oidc;

/// <summary>
/// A refusal on an OAuth endpoint, answered as RFC 6749 §5.2 <c>{"error","error_description"}</c>
/// (not problem+json): the error is one of <see cref="OAuthErrors"/>.
/// </summary>
public sealed class OAuthException(string error, string description, int status = 400) : Exception(description)
{
    public string Error { get; } = error;

    public string Description { get; } = description;

    public int Status { get; } = status;

    public static OAuthException InvalidClient(string description) => new(OAuthErrors.InvalidClient, description, 401);

    public static OAuthException InvalidGrant(string description) => new(OAuthErrors.InvalidGrant, description);

    public static OAuthException InvalidRequest(string description) => new(OAuthErrors.InvalidRequest, description);
}

/// <summary>The error codes of RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1 and OpenID Connect Core §3.1.2.6 this provider answers with.</summary>
public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string InvalidScope = "invalid_scope";
    public const string AccessDenied = "access_denied";
    public const string InvalidToken = "invalid_token";
    public const string RequestNotSupported = "request_not_supported";
    public const string LoginRequired = "login_required";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
}
