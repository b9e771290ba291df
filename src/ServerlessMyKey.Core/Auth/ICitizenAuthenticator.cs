namespace ServerlessMyKey.Core.Auth;

/// <summary>
/// Authenticates a citizen from the <c>Authorization: Bearer &lt;token&gt;</c> header: an access
/// token issued by <c>POST /api/auth/sessions</c> after a JPKI login. Every citizen route uses it.
/// </summary>
public interface ICitizenAuthenticator
{
    /// <summary>
    /// The citizen the token names; throws a <see cref="Errors.ServiceException"/> with
    /// <c>unauthenticated</c> (401) when the header is missing, malformed, expired or not ours.
    /// </summary>
    Task<Citizen> AuthenticateAsync(string? authorizationHeader, CancellationToken cancellationToken = default);
}

/// <summary>
/// A logged-in citizen: the MyKey ID (the platform's 8-character user ID) and the serial number
/// and expiry of the 利用者証明用 (authentication) certificate that logged in, and when that login
/// happened (the token's <c>iat</c>; null when the authenticator cannot tell).
/// </summary>
public sealed record Citizen(string MyKeyId, string CertificateSerialNumber, DateTimeOffset CertificateNotAfter, DateTimeOffset? AuthenticatedAt = null);
