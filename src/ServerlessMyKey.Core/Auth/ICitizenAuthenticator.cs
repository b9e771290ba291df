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
/// and expiry of the 利用者証明用 (authentication) certificate that logged in. <paramref name="ClientId"/>
/// is the service client the token was issued for (its <c>client_id</c>), or <c>null</c> for the
/// citizen's own session: a client's token is accepted only by that client, never on citizen-only routes.
/// <paramref name="AuthenticatedAt"/> is when that login happened (the token's <c>iat</c>; null when
/// the authenticator cannot tell).
/// </summary>
public sealed record Citizen(string MyKeyId, string CertificateSerialNumber, DateTimeOffset CertificateNotAfter, string? ClientId = null, DateTimeOffset? AuthenticatedAt = null);
