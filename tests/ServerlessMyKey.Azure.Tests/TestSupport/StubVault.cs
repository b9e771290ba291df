using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using ServerlessMyKey.Azure.Keys;

namespace ServerlessMyKey.Azure.Tests.TestSupport;

/// <summary>
/// A fake Key Vault behind an <see cref="HttpMessageHandler"/>: it records every request and
/// answers get/sign/wrapkey/unwrapkey with real keys, so what the service computes can be checked
/// with ordinary crypto. <see cref="Respond"/> overrides the answer to force errors.
/// </summary>
public sealed class StubVault : HttpMessageHandler
{
    public const string Host = "fake-vault.vault.azure.net";
    public const string Token = "fake-token";

    public static readonly Uri VaultUri = new($"https://{Host}/");

    private readonly Dictionary<string, Dictionary<string, AsymmetricAlgorithm>> _keys = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Each version's Key Vault attributes (<c>enabled</c>, <c>created</c>, optional <c>exp</c>), by version.</summary>
    public Dictionary<string, JsonObject> Attributes { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The <c>created</c> time of the next version added (then one second later for each).</summary>
    public DateTimeOffset NextCreated { get; set; } = DateTimeOffset.UtcNow;

    public List<RecordedRequest> Requests { get; } = [];

    /// <summary>How long each answer takes (cancellable, like a slow network).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, answers requests instead of the fake vault (a null answer falls through to the fake vault).</summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? Respond { get; set; }

    /// <summary>Adds a key version; the last one added is the key's current version.</summary>
    public string AddVersion(string name, AsymmetricAlgorithm key)
    {
        var version = Guid.NewGuid().ToString("N");
        if (!_keys.TryGetValue(name, out var versions))
        {
            _keys[name] = versions = new Dictionary<string, AsymmetricAlgorithm>(StringComparer.OrdinalIgnoreCase);
        }

        versions[version] = key;
        Current[name] = version;
        Attributes[version] = new JsonObject { ["enabled"] = true, ["created"] = NextCreated.ToUnixTimeSeconds() };
        NextCreated += TimeSpan.FromSeconds(1);
        return KeyId(name, version);
    }

    public Dictionary<string, string> Current { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static string KeyId(string name, string version) => $"https://{Host}/keys/{name}/{version}";

    public KeyVaultKeyService CreateService(KeyVaultKeyServiceOptions? options = null, TimeProvider? time = null)
    {
        options ??= new KeyVaultKeyServiceOptions();
        options.Transport = new HttpClientTransport(new HttpClient(this));
        options.Retry.MaxRetries = 0;
        return new KeyVaultKeyService(VaultUri, new FakeCredential(), options, time);
    }

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message) =>
        Json(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Delay(Delay, cancellationToken);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add(new RecordedRequest(
            request.Method.Method,
            request.RequestUri!,
            request.Headers.Authorization?.ToString(),
            body is null ? null : JsonNode.Parse(body)!.AsObject()));
        return Respond?.Invoke(request) ?? Answer(request.Method.Method, request.RequestUri!, Requests[^1].Body);
    }

    private HttpResponseMessage Answer(string method, Uri uri, JsonObject? body)
    {
        var segments = uri.AbsolutePath.Trim('/').Split('/');
        if (segments is not ["keys", var name, ..] || !_keys.TryGetValue(name, out var versions))
        {
            return Error(HttpStatusCode.NotFound, "KeyNotFound", "A key with (name/id) was not found in this key vault.");
        }

        if (method == "GET" && segments is [_, _, "versions"])
        {
            var items = new JsonArray([.. versions.Keys.Select(v => (JsonNode)new JsonObject { ["kid"] = KeyId(name, v), ["attributes"] = Attributes[v].DeepClone() })]);
            return Json(HttpStatusCode.OK, new JsonObject { ["value"] = items, ["nextLink"] = null });
        }

        var version = segments.Length > 2 ? segments[2] : Current[name];
        if (!versions.TryGetValue(version, out var key))
        {
            return Error(HttpStatusCode.NotFound, "KeyNotFound", "A key with (name/id) was not found in this key vault.");
        }

        var kid = KeyId(name, version);
        if (method == "GET")
        {
            return Json(HttpStatusCode.OK, new JsonObject { ["key"] = PublicJwk(kid, key), ["attributes"] = Attributes[version].DeepClone() });
        }

        var value = Base64Url.DecodeFromChars(body!["value"]!.GetValue<string>());
        byte[] result = segments[3] switch
        {
            "sign" => ((ECDsa)key).SignHash(value),
            "wrapkey" => ((RSA)key).Encrypt(value, RSAEncryptionPadding.OaepSHA256),
            "unwrapkey" => ((RSA)key).Decrypt(value, RSAEncryptionPadding.OaepSHA256),
            var op => throw new InvalidOperationException($"unexpected operation {op}"),
        };
        return Json(HttpStatusCode.OK, new JsonObject { ["kid"] = kid, ["value"] = Base64Url.EncodeToString(result) });
    }

    private static JsonObject PublicJwk(string kid, AsymmetricAlgorithm key)
    {
        if (key is ECDsa ec)
        {
            var p = ec.ExportParameters(false);
            return new JsonObject
            {
                ["kid"] = kid, ["kty"] = "EC-HSM", ["crv"] = "P-256", ["key_ops"] = new JsonArray("sign", "verify"),
                ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y),
            };
        }

        var r = ((RSA)key).ExportParameters(false);
        return new JsonObject
        {
            ["kid"] = kid, ["kty"] = "RSA", ["key_ops"] = new JsonArray("wrapKey", "unwrapKey"),
            // Key Vault may prefix the modulus with a zero octet.
            ["n"] = Base64Url.EncodeToString([0, .. r.Modulus!]), ["e"] = Base64Url.EncodeToString(r.Exponent),
        };
    }

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode content) =>
        new(status) { Content = new StringContent(content.ToJsonString(), Encoding.UTF8, "application/json") };

    public sealed record RecordedRequest(string Method, Uri Uri, string? Authorization, JsonObject? Body);

    private sealed class FakeCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            requestContext.Scopes.SequenceEqual([KeyVaultKeyService.Scope])
                ? new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1))
                : throw new InvalidOperationException("unexpected scope " + string.Join(' ', requestContext.Scopes));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
