using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Keys;

/// <summary>
/// The service keys in Azure Key Vault, called through its REST API (the Keys SDK is not available
/// here) over an Azure.Core pipeline with bearer-token auth. Private keys never leave the vault:
/// signing and unwrapping are vault operations; verification and the JWKS use the public key,
/// cached per version for <see cref="KeyVaultKeyServiceOptions.KeyCacheDuration"/>. Key ids are
/// the vault's versioned key URLs (<c>https://{vault}/keys/{name}/{version}</c>).
/// </summary>
public sealed partial class KeyVaultKeyService : IKeyService
{
    public const string ApiVersion = "2025-07-01";

    public const string Scope = "https://vault.azure.net/.default";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Uri _vaultUri;
    private readonly HttpPipeline _pipeline;
    private readonly IReadOnlyDictionary<string, string> _keyNames;
    private readonly TimeSpan _cacheDuration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, VaultKey> _current = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, VaultKey> _versions = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, VersionList> _versionLists = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _listGate = new(1, 1);

    /// <summary>An unknown version makes the version list be read again at most this often (a flood of forged kids costs one call a minute).</summary>
    internal static readonly TimeSpan MinimumListRefresh = TimeSpan.FromSeconds(60);

    private const int MaxListPages = 8;

    public KeyVaultKeyService(
        Uri vaultUri,
        TokenCredential credential,
        KeyVaultKeyServiceOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<KeyVaultKeyService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentNullException.ThrowIfNull(credential);
        if (!vaultUri.IsAbsoluteUri || vaultUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"The vault URI must be an absolute https URI, such as https://<vault>.vault.azure.net/ (was '{vaultUri}').", nameof(vaultUri));
        }

        options ??= new KeyVaultKeyServiceOptions();
        foreach (var (logical, name) in options.KeyNames)
        {
            if (!IsKeyVaultName(name))
            {
                throw new ArgumentException($"The Key Vault key name '{name}' for service key '{logical}' is invalid: use 1-127 letters, digits and hyphens.", nameof(options));
            }
        }

        _vaultUri = new Uri(vaultUri.GetLeftPart(UriPartial.Authority) + "/");
        _pipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, Scope));
        _keyNames = new Dictionary<string, string>(options.KeyNames, StringComparer.Ordinal);
        _cacheDuration = options.KeyCacheDuration;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<KeyVaultKeyService>.Instance;
    }

    public Uri VaultUri => _vaultUri;

    public async Task<KeySignature> SignAsync(string keyName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var key = await GetCurrentAsync(Resolve(keyName), cancellationToken).ConfigureAwait(false);
        // Key Vault signs a digest the caller computes (SHA-256 for ES256).
        var digest = SHA256.HashData(data.Span);
        var result = await KeyOperationAsync(key.Reference, key.Version, key.Kid, "sign", KeyAlgorithms.Es256, digest, cancellationToken).ConfigureAwait(false);
        return new KeySignature(result.Kid, result.Value);
    }

    /// <summary>
    /// Verifies locally with the public key of the version <paramref name="keyId"/> names. A key id
    /// that does not name a version of this key in this vault is never fetched: it is invalid. Only
    /// versions the vault lists (the list cached like the keys, read again for an unknown version at
    /// most once a minute) that are enabled and inside their nbf/exp are used, so disabling a
    /// compromised version stops its tokens and random versions never reach the vault.
    /// </summary>
    public async Task<bool> VerifyAsync(string keyName, string keyId, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var key = Resolve(keyName);
        if (!TryParseKeyId(keyId, key.VaultName, out var version) || !await IsUsableVersionAsync(key, version, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var versioned = await GetVersionAsync(key, version, cancellationToken).ConfigureAwait(false);
        return versioned?.EcPublicKey is { } publicKey && JsonWebKeys.VerifyEs256(publicKey, data.Span, signature.Span);
    }

    public async Task<PublicJsonWebKey> GetPublicKeyAsync(string keyName, CancellationToken cancellationToken = default) =>
        (await GetCurrentAsync(Resolve(keyName), cancellationToken).ConfigureAwait(false)).PublicKey;

    /// <summary>The current version, and the newest usable older one while the current version is younger than <paramref name="previousOverlap"/>.</summary>
    public async Task<IReadOnlyList<PublicJsonWebKey>> GetPublishedKeysAsync(string keyName, TimeSpan previousOverlap, CancellationToken cancellationToken = default)
    {
        var key = Resolve(keyName);
        var current = await GetCurrentAsync(key, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var list = await GetVersionListAsync(key, refreshUnknown: false, cancellationToken).ConfigureAwait(false);
        if (!list.Versions.TryGetValue(current.Version, out var currentInfo))
        {
            list = await GetVersionListAsync(key, refreshUnknown: true, cancellationToken).ConfigureAwait(false);
            if (!list.Versions.TryGetValue(current.Version, out currentInfo))
            {
                return [current.PublicKey];
            }
        }

        var previous = list.Versions.Values
            .Where(v => v.Version != current.Version && v.Created < currentInfo.Created && v.IsUsable(now))
            .MaxBy(v => v.Created);
        if (previous is null || now - currentInfo.Created >= previousOverlap
            || await GetVersionAsync(key, previous.Version, cancellationToken).ConfigureAwait(false) is not { } previousKey)
        {
            return [current.PublicKey];
        }

        return [current.PublicKey, previousKey.PublicKey];
    }

    public async Task<WrappedKey> WrapKeyAsync(string keyName, ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken = default)
    {
        if (dataKey.IsEmpty)
        {
            throw new ArgumentException("The data key is empty.", nameof(dataKey));
        }

        var key = await GetCurrentAsync(Resolve(keyName), cancellationToken).ConfigureAwait(false);
        var result = await KeyOperationAsync(key.Reference, key.Version, key.Kid, "wrapkey", KeyAlgorithms.RsaOaep256, dataKey, cancellationToken).ConfigureAwait(false);
        return new WrappedKey(result.Kid, KeyAlgorithms.RsaOaep256, result.Value);
    }

    public async Task<byte[]> UnwrapKeyAsync(string keyName, WrappedKey wrappedKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wrappedKey);
        if (!string.Equals(wrappedKey.Algorithm, KeyAlgorithms.RsaOaep256, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Unsupported wrap algorithm '{wrappedKey.Algorithm}'; expected {KeyAlgorithms.RsaOaep256}.", nameof(wrappedKey));
        }

        var key = Resolve(keyName);
        if (!TryParseKeyId(wrappedKey.KeyId, key.VaultName, out var version))
        {
            throw new ArgumentException($"The wrapped key's id '{wrappedKey.KeyId}' does not name a version of Key Vault key '{key.VaultName}' in {_vaultUri}.", nameof(wrappedKey));
        }

        var result = await KeyOperationAsync(key, version, wrappedKey.KeyId, "unwrapkey", KeyAlgorithms.RsaOaep256, wrappedKey.Value, cancellationToken).ConfigureAwait(false);
        return result.Value;
    }

    private KeyReference Resolve(string keyName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyName);
        var vaultName = _keyNames.TryGetValue(keyName, out var mapped) ? mapped : keyName;
        if (!IsKeyVaultName(vaultName))
        {
            throw new ArgumentException($"'{keyName}' is not a valid Key Vault key name; map it with the setting '{SettingFor(keyName)}'.", nameof(keyName));
        }

        return new KeyReference(keyName, vaultName);
    }

    private async Task<VaultKey> GetCurrentAsync(KeyReference key, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_current.TryGetValue(key.VaultName, out var cached) && cached.ExpiresAt > now)
        {
            return cached;
        }

        using var document = await SendAsync(RequestMethod.Get, $"keys/{key.VaultName}", null, key, "get", notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        var current = ParseKeyBundle(document!.RootElement, key, now + _cacheDuration);
        _current[key.VaultName] = current;
        _versions[$"{key.VaultName}/{current.Version}"] = current;
        return current;
    }

    private async Task<VaultKey?> GetVersionAsync(KeyReference key, string version, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var cacheKey = $"{key.VaultName}/{version}";
        if (_versions.TryGetValue(cacheKey, out var cached) && cached.ExpiresAt > now)
        {
            return cached;
        }

        using var document = await SendAsync(RequestMethod.Get, $"keys/{key.VaultName}/{version}", null, key, "get", notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }

        // Only versions that exist are cached, so callers naming random versions cannot grow the cache.
        return _versions[cacheKey] = ParseKeyBundle(document.RootElement, key, now + _cacheDuration);
    }

    private async Task<bool> IsUsableVersionAsync(KeyReference key, string version, CancellationToken cancellationToken)
    {
        // The version this instance signs with is known without a list.
        if (_current.TryGetValue(key.VaultName, out var current) && string.Equals(current.Version, version, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var list = await GetVersionListAsync(key, refreshUnknown: false, cancellationToken).ConfigureAwait(false);
        if (!list.Versions.ContainsKey(version))
        {
            list = await GetVersionListAsync(key, refreshUnknown: true, cancellationToken).ConfigureAwait(false);
        }

        return list.Versions.TryGetValue(version, out var info) && info.IsUsable(_time.GetUtcNow());
    }

    /// <summary>
    /// GET /keys/{name}/versions (paged, at most <see cref="MaxListPages"/> pages): each version's
    /// enabled/nbf/exp/created. Cached for the key cache duration; <paramref name="refreshUnknown"/>
    /// reads it again when the cached list is older than <see cref="MinimumListRefresh"/>.
    /// </summary>
    private async Task<VersionList> GetVersionListAsync(KeyReference key, bool refreshUnknown, CancellationToken cancellationToken)
    {
        bool Fresh(VersionList list, DateTimeOffset now) =>
            list.ReadAt + _cacheDuration > now && !(refreshUnknown && list.ReadAt + MinimumListRefresh <= now);

        if (_versionLists.TryGetValue(key.VaultName, out var cached) && Fresh(cached, _time.GetUtcNow()))
        {
            return cached;
        }

        await _listGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (_versionLists.TryGetValue(key.VaultName, out cached) && Fresh(cached, now))
            {
                return cached;
            }

            var versions = new Dictionary<string, KeyVersionInfo>(StringComparer.OrdinalIgnoreCase);
            string? skipToken = null;
            for (var page = 0; page < MaxListPages; page++)
            {
                var query = skipToken is null ? null : new[] { ("$skiptoken", skipToken) };
                using var document = await SendAsync(RequestMethod.Get, $"keys/{key.VaultName}/versions", null, key, "list", notFoundIsNull: false, cancellationToken, query).ConfigureAwait(false);
                skipToken = ReadResponse(key, "list", () => ReadVersionPage(document!.RootElement, key, versions));
                if (skipToken is null)
                {
                    break;
                }
            }

            return _versionLists[key.VaultName] = new VersionList(versions, now);
        }
        finally
        {
            _listGate.Release();
        }
    }

    /// <summary>Adds one page of <c>{value:[{kid, attributes}], nextLink}</c>; returns the next page's skip token, if any.</summary>
    private string? ReadVersionPage(JsonElement root, KeyReference key, Dictionary<string, KeyVersionInfo> versions)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("value", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("missing 'value'");
        }

        foreach (var item in items.EnumerateArray())
        {
            if (!TryParseKeyId(RequiredString(item, "kid"), key.VaultName, out var version))
            {
                continue;
            }

            var attributes = item.TryGetProperty("attributes", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
            versions[version] = new KeyVersionInfo(
                version,
                attributes.ValueKind == JsonValueKind.Object && attributes.TryGetProperty("enabled", out var enabled) && enabled.ValueKind == JsonValueKind.True,
                UnixTime(attributes, "nbf"),
                UnixTime(attributes, "exp"),
                UnixTime(attributes, "created") ?? DateTimeOffset.MinValue);
        }

        // nextLink is the vault's own URL; only its skip token is taken, never the link itself.
        return root.TryGetProperty("nextLink", out var next) && next.ValueKind == JsonValueKind.String
            && Uri.TryCreate(next.GetString(), UriKind.Absolute, out var nextUri)
            && System.Web.HttpUtility.ParseQueryString(nextUri.Query)["$skiptoken"] is { Length: > 0 } token
            ? token
            : null;
    }

    private static DateTimeOffset? UnixTime(JsonElement attributes, string property) =>
        attributes.ValueKind == JsonValueKind.Object && attributes.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeSeconds(value.GetInt64())
            : null;

    /// <summary>POST /keys/{name}/{version}/{operation} with <c>{alg, value}</c>; answers <c>{kid, value}</c>.</summary>
    private async Task<(string Kid, byte[] Value)> KeyOperationAsync(
        KeyReference key, string version, string kid, string operation, string algorithm, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var body = new KeyOperationRequest(algorithm, Base64Url.EncodeToString(value.Span));
        using var document = await SendAsync(RequestMethod.Post, $"keys/{key.VaultName}/{version}/{operation}", body, key, operation, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        return ReadResponse(key, operation, () =>
        {
            var root = document!.RootElement;
            var answeredKid = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String && k.GetString() is { Length: > 0 } s ? s : kid;
            return (answeredKid, Base64Url.DecodeFromChars(RequiredString(root, "value")));
        });
    }

    private async Task<JsonDocument?> SendAsync(
        RequestMethod method, string path, object? body, KeyReference key, string operation, bool notFoundIsNull, CancellationToken cancellationToken,
        IEnumerable<(string Name, string Value)>? query = null)
    {
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        var uri = new RequestUriBuilder();
        uri.Reset(_vaultUri);
        uri.AppendPath(path, escape: false); // names and versions are validated to letters, digits and hyphens
        uri.AppendQuery("api-version", ApiVersion);
        foreach (var (name, value) in query ?? [])
        {
            uri.AppendQuery(name, value);
        }

        request.Uri = uri;
        request.Headers.Add(HttpHeader.Names.Accept, "application/json");
        if (body is not null)
        {
            request.Headers.Add(HttpHeader.Names.ContentType, "application/json");
            request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(body, Json));
        }

        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is RequestFailedException or AggregateException or OperationCanceledException)
        {
            // Transport failures, exhausted retries and network time-outs: the vault did not answer.
            _logger.LogWarning(ex, "Key Vault {Operation} on key {VaultKeyName} did not answer", operation, key.VaultName);
            throw new ServiceException(ErrorCodes.DependencyUnavailable, "Key Vault did not answer.", ex);
        }

        var response = message.Response;
        if (response.Status == 404 && notFoundIsNull)
        {
            return null;
        }

        if (response.IsError)
        {
            throw MapError(response, key, operation);
        }

        return await ReadResponseAsync(response, key, operation, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonDocument> ReadResponseAsync(Response response, KeyReference key, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(response.ContentStream ?? Stream.Null, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw UnexpectedResponse(key, operation, ex);
        }
    }

    private Exception MapError(Response response, KeyReference key, string operation)
    {
        var (code, message) = ReadError(response);
        _logger.LogWarning(
            "Key Vault {Operation} on key {VaultKeyName} failed with status {Status} {ErrorCode}", operation, key.VaultName, response.Status, code);
        if (response.Status is >= 500 or 408 or 429)
        {
            return new ServiceException(ErrorCodes.DependencyUnavailable, "Key Vault did not answer.", new RequestFailedException(response));
        }

        var setting = SettingFor(key.LogicalName);
        return response.Status switch
        {
            404 => new InvalidOperationException(
                $"Key Vault key '{key.VaultName}' (service key '{key.LogicalName}') was not found in {_vaultUri}: create it, or set '{setting}' to the name of an existing key. Key Vault said: {code} {message}"),
            401 or 403 => new InvalidOperationException(
                $"Key Vault refused '{operation}' on key '{key.VaultName}' (service key '{key.LogicalName}') in {_vaultUri} with status {response.Status}: grant the app's identity the 'Key Vault Crypto User' role, or check 'KeyVault:Uri' and 'KeyVault:ClientId'. Key Vault said: {code} {message}"),
            _ => new InvalidOperationException(
                $"Key Vault rejected '{operation}' on key '{key.VaultName}' (service key '{key.LogicalName}', setting '{setting}') with status {response.Status}: {code} {message}"),
        };
    }

    /// <summary>Key Vault errors are <c>{"error":{"code","message"}}</c>; anything else yields empty strings.</summary>
    private static (string Code, string Message) ReadError(Response response)
    {
        try
        {
            using var document = JsonDocument.Parse(response.Content.ToMemory());
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return (
                    error.TryGetProperty("code", out var c) ? c.GetString() ?? string.Empty : string.Empty,
                    error.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty);
            }
        }
        catch (JsonException)
        {
        }

        return (string.Empty, string.Empty);
    }

    private VaultKey ParseKeyBundle(JsonElement root, KeyReference key, DateTimeOffset expiresAt) => ReadResponse(key, "get", () =>
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("key", out var jwk) || jwk.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("missing 'key'");
        }

        var kid = RequiredString(jwk, "kid");
        if (!TryParseKeyId(kid, key.VaultName, out var version))
        {
            throw new FormatException($"key id '{kid}' is not a version of this key");
        }

        switch (RequiredString(jwk, "kty"))
        {
            case "EC" or "EC-HSM":
                if (RequiredString(jwk, "crv") != "P-256")
                {
                    throw new InvalidOperationException(
                        $"Key Vault key '{key.VaultName}' (service key '{key.LogicalName}') is not an EC P-256 key; ES256 needs P-256. Set '{SettingFor(key.LogicalName)}' to a P-256 key.");
                }

                var ec = new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = Coordinate(jwk, "x"), Y = Coordinate(jwk, "y") },
                };
                return new VaultKey(key, kid, version, JsonWebKeys.FromEc(kid, ec), ec, expiresAt);
            case "RSA" or "RSA-HSM":
                var rsa = new RSAParameters
                {
                    // RFC 7518 §6.3.1.1: n has no leading zero octets; some producers add one for the sign bit.
                    Modulus = Base64Url.DecodeFromChars(RequiredString(jwk, "n")).AsSpan().TrimStart((byte)0).ToArray(),
                    Exponent = Base64Url.DecodeFromChars(RequiredString(jwk, "e")),
                };
                return new VaultKey(key, kid, version, JsonWebKeys.FromRsa(kid, rsa), null, expiresAt);
            case var other:
                throw new InvalidOperationException(
                    $"Key Vault key '{key.VaultName}' (service key '{key.LogicalName}') has key type '{other}'; service keys are EC P-256 (signing) or RSA (wrapping).");
        }
    });

    private static T ReadResponse<T>(KeyReference key, string operation, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FormatException ex)
        {
            throw UnexpectedResponse(key, operation, ex);
        }
    }

    private static InvalidOperationException UnexpectedResponse(KeyReference key, string operation, Exception inner) =>
        new($"Key Vault answered '{operation}' on key '{key.VaultName}' with a response this service cannot read.", inner);

    private static byte[] Coordinate(JsonElement jwk, string property) =>
        Base64Url.DecodeFromChars(RequiredString(jwk, property)) is { Length: 32 } coordinate ? coordinate : throw new FormatException($"'{property}' is not a P-256 coordinate");

    private static string RequiredString(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException($"missing '{property}'");

    /// <summary>True when <paramref name="keyId"/> is <c>https://{this vault}/keys/{name}/{version}</c>.</summary>
    private bool TryParseKeyId(string? keyId, string vaultName, out string version)
    {
        version = string.Empty;
        if (!Uri.TryCreate(keyId, UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttps
            || !string.Equals(uri.Host, _vaultUri.Host, StringComparison.OrdinalIgnoreCase)
            || uri.Port != _vaultUri.Port
            || uri.Query.Length > 0
            || uri.Fragment.Length > 0)
        {
            return false;
        }

        var segments = uri.AbsolutePath.Split('/');
        if (segments is not ["", "keys", var name, var candidate]
            || !string.Equals(name, vaultName, StringComparison.OrdinalIgnoreCase)
            || !VersionPattern().IsMatch(candidate))
        {
            return false;
        }

        version = candidate;
        return true;
    }

    internal static string SettingFor(string logicalName) => $"KeyVault:Keys:{logicalName}";

    internal static bool IsKeyVaultName(string? name) => name is not null && NamePattern().IsMatch(name);

    [GeneratedRegex("^[0-9A-Za-z-]{1,127}\\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9A-Za-z]{1,64}\\z")]
    private static partial Regex VersionPattern();

    private sealed record KeyReference(string LogicalName, string VaultName);

    private sealed record VaultKey(KeyReference Reference, string Kid, string Version, PublicJsonWebKey PublicKey, ECParameters? EcPublicKey, DateTimeOffset ExpiresAt);

    private sealed record KeyOperationRequest(string Alg, string Value);

    /// <summary>A version's Key Vault attributes: usable when enabled and inside nbf/exp.</summary>
    private sealed record KeyVersionInfo(string Version, bool Enabled, DateTimeOffset? NotBefore, DateTimeOffset? Expires, DateTimeOffset Created)
    {
        public bool IsUsable(DateTimeOffset now) => Enabled && (NotBefore is null || NotBefore <= now) && (Expires is null || Expires > now);
    }

    private sealed record VersionList(IReadOnlyDictionary<string, KeyVersionInfo> Versions, DateTimeOffset ReadAt);
}
