using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Functions.Http;

/// <summary>Authenticates a citizen from <c>Authorization: Bearer …</c> with the registered <see cref="ICitizenAuthenticator"/>.</summary>
public static class CitizenAuthentication
{
    public static Task<Citizen> RequireCitizenAsync(this ICitizenAuthenticator authenticator, HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(request);
        return authenticator.AuthenticateAsync(request.Headers[HeaderNames.Authorization].ToString() is { Length: > 0 } header ? header : null, cancellationToken);
    }

    /// <summary>The citizen when the token is theirs for <paramref name="myKeyId"/>; 403 <c>forbidden</c> for another citizen's token.</summary>
    public static async Task<Citizen> RequireCitizenAsync(this ICitizenAuthenticator authenticator, HttpRequest request, string myKeyId, CancellationToken cancellationToken = default)
    {
        var citizen = await authenticator.RequireCitizenAsync(request, cancellationToken);
        return string.Equals(citizen.MyKeyId, myKeyId, StringComparison.Ordinal)
            ? citizen
            : throw new ServiceException(ErrorCodes.Forbidden, "The bearer token belongs to another MyKey ID.");
    }
}
