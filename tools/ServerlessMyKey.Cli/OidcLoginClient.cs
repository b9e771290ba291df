using System.Buffers.Text;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;

namespace ServerlessMyKey.Cli;

/// <summary>
/// Plays the holder's part of an OpenID Connect sign-in as a card-holder's app would: follows the
/// authorization URL to the login page, reads the request (client, scopes, challenge), signs the
/// challenge with the card (and with its signing key when <c>jpki_basic4</c> is asked for) and
/// returns where the browser goes next: the client's redirect URI with the code.
/// </summary>
public sealed class OidcLoginClient(HttpClient api)
{
    /// <summary>The request id the authorization endpoint put into its redirect to the login page.</summary>
    public static async Task<string> StartAsync(Uri authorizeUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authorizeUrl);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(authorizeUrl, cancellationToken);
        var location = response.Headers.Location;
        if ((int)response.StatusCode != 302 || location is null)
        {
            throw new HttpRequestException($"{(int)response.StatusCode}: the authorization endpoint did not redirect: {await response.Content.ReadAsStringAsync(cancellationToken)}", null, response.StatusCode);
        }

        var query = System.Web.HttpUtility.ParseQueryString(location.IsAbsoluteUri ? location.Query : new Uri(authorizeUrl, location).Query);
        return query["requestId"] ?? throw new HttpRequestException("The authorization endpoint redirected to the client: " + location);
    }

    /// <summary>The request as the login page shows it (clientId, clientName, scopes, challengeId, challenge).</summary>
    public async Task<JsonElement> GetRequestAsync(string requestId, CancellationToken cancellationToken = default) =>
        await ReadAsync(await api.GetAsync("api/oidc/requests/" + Uri.EscapeDataString(requestId), cancellationToken), cancellationToken);

    /// <summary>Logs in with the card; returns the <c>redirectTo</c> URL with the code and state.</summary>
    public async Task<string> LoginAsync(VirtualCard card, string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        var request = await GetRequestAsync(requestId, cancellationToken);
        var challengeId = request.GetProperty("challengeId").GetString()!;
        var challenge = Base64Url.DecodeFromChars(request.GetProperty("challenge").GetString()!);
        var basic4 = request.GetProperty("scopes").EnumerateArray().Any(s => s.GetString() == "jpki_basic4");
        var body = new
        {
            challengeId,
            certificate = Convert.ToBase64String(card.AuthenticationCertificate.RawData),
            signature = Convert.ToBase64String(card.SignWithAuthenticationKey(challenge)),
            signing = basic4
                ? new { certificate = Convert.ToBase64String(card.SigningCertificate.RawData), signature = Convert.ToBase64String(card.SignWithSigningKey(challenge)) }
                : null,
        };
        var answer = await ReadAsync(await api.PostAsJsonAsync("api/oidc/requests/" + Uri.EscapeDataString(requestId) + "/login", body, cancellationToken), cancellationToken);
        return answer.GetProperty("redirectTo").GetString()!;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return response.IsSuccessStatusCode
                ? body
                : throw new HttpRequestException($"{(int)response.StatusCode} {(body.ValueKind == JsonValueKind.Object && body.TryGetProperty("code", out var code) ? code.GetString() : "")}: {body}", null, response.StatusCode);
        }
    }
}
