using System.Net.Http.Headers;

namespace ServerlessMyKey.Core.Security;

/// <summary>A service client's own webhook: <c>Clients:&lt;id&gt;:WebhookUrl</c> and <c>:WebhookSecret</c>.</summary>
public sealed record ClientWebhookEndpoint(Uri Url, byte[] Secret);

/// <summary>
/// The webhooks of service clients, by client id (outbound events such as <c>certificate.revoked</c>).
/// Each body is signed with <c>x-mykey-signature</c> under the client's secret; a non-2xx answer or
/// no answer throws, so the caller's retry (a queue's redelivery) takes over.
/// </summary>
public sealed class ClientWebhooks(IReadOnlyDictionary<string, ClientWebhookEndpoint> endpoints, HttpClient http, TimeProvider time)
{
    /// <summary>The clients that have a webhook.</summary>
    public IEnumerable<string> ClientIds => endpoints.Keys;

    public bool Has(string clientId) => endpoints.ContainsKey(clientId);

    /// <summary>Posts the JSON body signed; <c>false</c> when the client has no webhook.</summary>
    /// <exception cref="HttpRequestException">No answer, or not 2xx.</exception>
    public async Task<bool> PostAsync(string clientId, byte[] jsonBody, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonBody);
        if (!endpoints.TryGetValue(clientId, out var endpoint))
        {
            return false;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(jsonBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(endpoint.Secret, time.GetUtcNow(), jsonBody));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return true;
    }
}
