using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Auth;

/// <summary>The <see cref="ICitizenAuthenticator"/> of this service: a Bearer access token from <see cref="AccessTokens"/>.</summary>
public sealed class CitizenTokenAuthenticator(AccessTokens tokens) : ICitizenAuthenticator
{
    public Task<Citizen> AuthenticateAsync(string? authorizationHeader, CancellationToken cancellationToken = default)
    {
        const string scheme = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || authorizationHeader.Length <= scheme.Length)
        {
            throw new ServiceException(ErrorCodes.Unauthenticated, "An 'Authorization: Bearer <access token>' header is required.");
        }

        return tokens.ValidateAsync(authorizationHeader[scheme.Length..].Trim(), cancellationToken);
    }
}
