using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Functions.Http;

/// <summary>Authenticates a citizen from <c>Authorization: Bearer …</c> with the registered <see cref="ICitizenAuthenticator"/>.</summary>
public static class CitizenAuthentication
{
    /// <summary>The citizen's own session: a token issued for a service client is refused (<c>token_client_mismatch</c>).</summary>
    public static async Task<Citizen> RequireCitizenAsync(this ICitizenAuthenticator authenticator, HttpRequest request, CancellationToken cancellationToken = default)
    {
        var citizen = await authenticator.AuthenticateAnyAsync(request, cancellationToken);
        return citizen.ClientId is null
            ? citizen
            : throw new ServiceException(ErrorCodes.TokenClientMismatch, "A token issued for a client cannot be used on the citizen's own routes.");
    }

    /// <summary>
    /// The citizen of <paramref name="myKeyId"/> presented by <paramref name="client"/>: the citizen's own
    /// session token, or a token issued for this very client; a token of another client is refused.
    /// </summary>
    public static async Task<Citizen> RequireCitizenAsync(this ICitizenAuthenticator authenticator, HttpRequest request, string myKeyId, ServiceClient client, CancellationToken cancellationToken = default) =>
        RequireOwn(await authenticator.RequireCitizenAsync(request, client, cancellationToken), myKeyId);

    /// <summary>The citizen presented by <paramref name="client"/> (e.g. a check-in terminal): their own session token, or one issued for this client.</summary>
    public static async Task<Citizen> RequireCitizenAsync(this ICitizenAuthenticator authenticator, HttpRequest request, ServiceClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var citizen = await authenticator.AuthenticateAnyAsync(request, cancellationToken);
        return citizen.ClientId is null || string.Equals(citizen.ClientId, client.ClientId, StringComparison.Ordinal)
            ? citizen
            : throw new ServiceException(ErrorCodes.TokenClientMismatch, "The access token was issued for another client.");
    }

    private static Task<Citizen> AuthenticateAnyAsync(this ICitizenAuthenticator authenticator, HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(request);
        return authenticator.AuthenticateAsync(request.Headers[HeaderNames.Authorization].ToString() is { Length: > 0 } header ? header : null, cancellationToken);
    }

    private static Citizen RequireOwn(Citizen citizen, string myKeyId) =>
        string.Equals(citizen.MyKeyId, myKeyId, StringComparison.Ordinal)
            ? citizen
            : throw new ServiceException(ErrorCodes.Forbidden, "The bearer token belongs to another MyKey ID.");

    /// <summary>The citizen when the token is theirs for <paramref name="myKeyId"/>; 403 <c>forbidden</c> for another citizen's token.</summary>
    public static async Task<Citizen> RequireCitizenAsync(this ICitizenAuthenticator authenticator, HttpRequest request, string myKeyId, CancellationToken cancellationToken = default)
    {
        return RequireOwn(await authenticator.RequireCitizenAsync(request, cancellationToken), myKeyId);
    }
}
