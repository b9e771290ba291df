using Microsoft.AspNetCore.Http;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Functions.Http;

/// <summary>
/// Authenticates the caller of an HTTP function from its headers, with the reusable
/// authenticators of Core. Failures are <c>ServiceException</c>s (401/403) that
/// <see cref="ApiHandler"/> turns into problem+json.
/// </summary>
public static class RequestAuthentication
{
    public const string ApiKeyHeader = "x-api-key";

    /// <summary>The service client whose <c>x-api-key</c> this is, when it holds <paramref name="role"/>.</summary>
    public static ServiceClient RequireServiceClient(this ServiceClientAuthenticator authenticator, HttpRequest request, string role)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(request);
        return authenticator.Require(request.Headers[ApiKeyHeader].ToString(), role);
    }

    /// <summary>
    /// Reads the raw body (1 MiB limit) and verifies its <c>x-mykey-signature</c> for
    /// <paramref name="source"/>, once (a replay is 409 <c>webhook_replayed</c>); returns the verified
    /// bytes for the caller to parse.
    /// </summary>
    public static async Task<byte[]> ReadVerifiedWebhookAsync(this WebhookAuthenticator authenticator, HttpRequest request, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(request);
        var body = await RequestBody.ReadBytesAsync(request, cancellationToken);
        await authenticator.VerifyOnceAsync(source, request.Headers[WebhookSignature.HeaderName].ToString(), body, cancellationToken);
        return body;
    }
}
