using System.Buffers.Text;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;

namespace ServerlessMyKey.Cli;

/// <summary>Talks to a ServerlessMyKey API as a card-holder's app would: challenge → card signs → session.</summary>
public sealed class MyKeyApiClient(HttpClient http)
{
    /// <summary>Logs in with the card's authentication certificate; returns the session JSON (myKeyId, accessToken, ...).</summary>
    /// <param name="withIdentity">Also sign the challenge with the signing key, so that the service keeps the keyed hash of the 基本4情報 that a later relink must match.</param>
    public async Task<JsonElement> LoginAsync(VirtualCard card, string? audience = null, bool withIdentity = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        var (challengeId, challenge) = await CreateChallengeAsync(audience, cancellationToken);
        var response = await http.PostAsJsonAsync("api/auth/sessions", LoginBody(card, challengeId, challenge, withIdentity), cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    /// <summary>A fresh login challenge: its id and the bytes to sign.</summary>
    public async Task<(string ChallengeId, byte[] Challenge)> CreateChallengeAsync(string? audience = null, CancellationToken cancellationToken = default)
    {
        var response = await http.PostAsJsonAsync("api/auth/challenges", new { audience }, cancellationToken);
        return await ChallengeOfAsync(response, cancellationToken);
    }

    /// <summary>
    /// A fresh challenge a reader asks for with its own key (<paramref name="purpose"/>: ticket_gate, medical_eligibility,
    /// medical_checkin, shelter_checkin): the card's proof over it is accepted only at that purpose's route from that reader.
    /// </summary>
    public async Task<(string ChallengeId, byte[] Challenge)> CreateReaderChallengeAsync(string purpose, string readerApiKey, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/auth/challenges") { Content = JsonContent.Create(new { purpose }) };
        request.Headers.Add("x-api-key", readerApiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        return await ChallengeOfAsync(response, cancellationToken);
    }

    /// <summary>The body a reader posts (<c>{challengeId, certificate, signature}</c>): the card's proof over a challenge of <paramref name="purpose"/> for that reader.</summary>
    public async Task<object> ReaderProofAsync(VirtualCard card, string purpose, string readerApiKey, CancellationToken cancellationToken = default)
    {
        var (challengeId, challenge) = await CreateReaderChallengeAsync(purpose, readerApiKey, cancellationToken);
        return LoginBody(card, challengeId, challenge);
    }

    private static async Task<(string ChallengeId, byte[] Challenge)> ChallengeOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadAsync(response, cancellationToken);
        return (body.GetProperty("challengeId").GetString()!, Base64Url.DecodeFromChars(body.GetProperty("challenge").GetString()!));
    }

    /// <summary>The body of <c>POST /api/auth/sessions</c> for a card that signed <paramref name="challenge"/>.</summary>
    public static object LoginBody(VirtualCard card, string challengeId, byte[] challenge, bool withIdentity = false)
    {
        ArgumentNullException.ThrowIfNull(card);
        return new
        {
            challengeId,
            certificate = Convert.ToBase64String(card.AuthenticationCertificate.RawData),
            signature = Convert.ToBase64String(card.SignWithAuthenticationKey(challenge)),
            identity = withIdentity ? IdentityProof(card, challenge) : null,
        };
    }

    /// <summary><c>identity</c> of a login or relink: the signing certificate and its signature over the same challenge.</summary>
    public static object IdentityProof(VirtualCard card, byte[] challenge)
    {
        ArgumentNullException.ThrowIfNull(card);
        return new
        {
            certificate = Convert.ToBase64String(card.SigningCertificate.RawData),
            signature = Convert.ToBase64String(card.SignWithSigningKey(challenge)),
        };
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return response.IsSuccessStatusCode
            ? body
            : throw new HttpRequestException($"{(int)response.StatusCode} {(body.ValueKind == JsonValueKind.Object && body.TryGetProperty("code", out var code) ? code.GetString() : "")}: {body}", null, response.StatusCode);
    }
}
