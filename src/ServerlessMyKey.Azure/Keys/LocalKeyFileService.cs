using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Keys;

/// <summary>
/// Development stand-in for Key Vault: each service key is a PKCS#8 PEM file
/// (<c>{folder}/{keyName}.pem</c>, mode 0600 on Unix), created on first use. The key id is the
/// RFC 7638 JWK thumbprint, so it is stable across restarts and names the key in tokens.
/// Several processes (DevHost, tests, the CLI) may share the folder: a key is written to a
/// temporary file and linked into place only if no key is there (<see cref="ExclusiveFilePlacement"/>),
/// and whoever loses the race loads the winner's key. Private keys never leave this class except through that file.
/// </summary>
public sealed class LocalKeyFileService : IKeyService, IDisposable
{
    /// <summary>Folder of the key files; relative paths are resolved against the current directory.</summary>
    public const string LocalPathSetting = "Keys:LocalPath";

    /// <summary>The DevHost data folder; the keys live in its <c>keys</c> subfolder unless <see cref="LocalPathSetting"/> is set.</summary>
    public const string DataPathSetting = "DevHost:DataPath";

    public const string DefaultDataPath = ".devhost";

    private static readonly Dictionary<string, KeyKind> Kinds = new(StringComparer.Ordinal)
    {
        [ServiceKeyNames.TokenSigning] = KeyKind.EcP256,
        [ServiceKeyNames.DataEncryption] = KeyKind.Rsa2048,
    };

    private readonly ConcurrentDictionary<string, LocalKey> _keys = new(StringComparer.Ordinal);
    private readonly Lock _loadGate = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public LocalKeyFileService(string directory, ILogger<LocalKeyFileService>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        _logger = logger ?? NullLogger<LocalKeyFileService>.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    private enum KeyKind
    {
        EcP256,
        Rsa2048,
    }

    /// <summary>The absolute folder holding the key files.</summary>
    public string Directory { get; }

    /// <summary><c>Keys:LocalPath</c>, else <c>{DevHost:DataPath}/keys</c> (default <c>.devhost/keys</c>), as an absolute path.</summary>
    public static string ResolveDirectory(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration[LocalPathSetting];
        if (string.IsNullOrWhiteSpace(configured))
        {
            var dataPath = configuration[DataPathSetting];
            configured = Path.Combine(string.IsNullOrWhiteSpace(dataPath) ? DefaultDataPath : dataPath, "keys");
        }

        return Path.GetFullPath(configured);
    }

    public Task<KeySignature> SignAsync(string keyName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = GetKey(keyName, KeyKind.EcP256);
        byte[] signature;
        lock (key)
        {
            signature = key.Ecdsa!.SignData(data.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        return Task.FromResult(new KeySignature(key.Kid, signature));
    }

    /// <summary>
    /// Verifies with the current key, or the previous one after a <see cref="RotateSigningKey"/>; false
    /// for any other key id (a key this folder never had, e.g. after it was wiped).
    /// </summary>
    public Task<bool> VerifyAsync(string keyName, string keyId, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        cancellationToken.ThrowIfCancellationRequested();
        var key = GetKey(keyName, KeyKind.EcP256);
        var verifying = string.Equals(keyId, key.Kid, StringComparison.Ordinal) ? key
            : PreviousKey(keyName) is { } previous && string.Equals(keyId, previous.Kid, StringComparison.Ordinal) ? previous
            : null;
        return Task.FromResult(verifying is not null && JsonWebKeys.VerifyEs256(verifying.EcPublicKey, data.Span, signature.Span));
    }

    /// <summary>The current key, and the previous one while the current key file is younger than <paramref name="previousOverlap"/>.</summary>
    public Task<IReadOnlyList<PublicJsonWebKey>> GetPublishedKeysAsync(string keyName, TimeSpan previousOverlap, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var current = GetKey(keyName, kind: null);
        var rotatedAt = new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(Directory, keyName + ".pem")), TimeSpan.Zero);
        IReadOnlyList<PublicJsonWebKey> published = PreviousKey(keyName) is { } previous && _time.GetUtcNow() - rotatedAt < previousOverlap
            ? [current.PublicKey, previous.PublicKey]
            : [current.PublicKey];
        return Task.FromResult(published);
    }

    /// <summary>
    /// Development rotation of the token-signing key: the current key file becomes
    /// <c>{name}.previous.pem</c> (still verifying, and published for the overlap) and a new key is made.
    /// </summary>
    public void RotateSigningKey(string keyName)
    {
        if (!Kinds.TryGetValue(keyName, out var kind) || kind != KeyKind.EcP256)
        {
            throw new ArgumentException($"Only signing keys rotate locally; '{keyName}' is not one.", nameof(keyName));
        }

        lock (_loadGate)
        {
            GetKey(keyName, KeyKind.EcP256); // the current key exists before it is moved
            var path = Path.Combine(Directory, keyName + ".pem");
            File.Move(path, Path.Combine(Directory, keyName + ".previous.pem"), overwrite: true);
            Forget(keyName);
            Forget(keyName + ".previous");
            TryCreate(path, kind);
        }
    }

    private LocalKey? PreviousKey(string keyName)
    {
        var name = keyName + ".previous";
        if (_keys.TryGetValue(name, out var cached))
        {
            return cached;
        }

        var path = Path.Combine(Directory, name + ".pem");
        lock (_loadGate)
        {
            return _keys.TryGetValue(name, out cached) ? cached : File.Exists(path) ? _keys[name] = Load(path, KeyKind.EcP256) : null;
        }
    }

    // Not disposed: a request may still be signing with it (development only, so the leak is harmless).
    private void Forget(string name) => _keys.TryRemove(name, out _);

    public Task<PublicJsonWebKey> GetPublicKeyAsync(string keyName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(GetKey(keyName, kind: null).PublicKey);
    }

    public Task<WrappedKey> WrapKeyAsync(string keyName, ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken = default)
    {
        if (dataKey.IsEmpty)
        {
            throw new ArgumentException("The data key is empty.", nameof(dataKey));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var key = GetKey(keyName, KeyKind.Rsa2048);
        byte[] wrapped;
        lock (key)
        {
            wrapped = key.Rsa!.Encrypt(dataKey.Span, RSAEncryptionPadding.OaepSHA256);
        }

        return Task.FromResult(new WrappedKey(key.Kid, KeyAlgorithms.RsaOaep256, wrapped));
    }

    public Task<byte[]> UnwrapKeyAsync(string keyName, WrappedKey wrappedKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wrappedKey);
        if (!string.Equals(wrappedKey.Algorithm, KeyAlgorithms.RsaOaep256, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Unsupported wrap algorithm '{wrappedKey.Algorithm}'; expected {KeyAlgorithms.RsaOaep256}.", nameof(wrappedKey));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var key = GetKey(keyName, KeyKind.Rsa2048);
        if (!string.Equals(wrappedKey.KeyId, key.Kid, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The data key was wrapped with key id '{wrappedKey.KeyId}', but the local key '{keyName}' in '{Directory}' has id '{key.Kid}'. Local keys are not rotated: the key file that wrapped it was replaced or deleted.");
        }

        lock (key)
        {
            return Task.FromResult(key.Rsa!.Decrypt(wrappedKey.Value, RSAEncryptionPadding.OaepSHA256));
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
    }

    private LocalKey GetKey(string keyName, KeyKind? kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyName);
        if (!Kinds.TryGetValue(keyName, out var actual))
        {
            throw new ArgumentException($"Unknown service key '{keyName}'; local keys exist for: {string.Join(", ", Kinds.Keys)}.", nameof(keyName));
        }

        if (kind is { } expected && expected != actual)
        {
            throw new InvalidOperationException($"The key '{keyName}' is {(actual == KeyKind.EcP256 ? "an EC P-256 signing" : "an RSA wrapping")} key and does not support this operation.");
        }

        if (_keys.TryGetValue(keyName, out var key))
        {
            return key;
        }

        lock (_loadGate)
        {
            return _keys.TryGetValue(keyName, out key) ? key : _keys[keyName] = LoadOrCreate(keyName, actual);
        }
    }

    private LocalKey LoadOrCreate(string keyName, KeyKind kind)
    {
        var path = Path.Combine(Directory, keyName + ".pem");
        if (!File.Exists(path) && TryCreate(path, kind))
        {
            var created = Load(path, kind);
            _logger.LogInformation("Created local key {KeyName} with key id {KeyId} in {Directory}", keyName, created.Kid, Directory);
            return created;
        }

        return Load(path, kind);
    }

    /// <summary>Writes a new key to a temporary file and moves it into place; false when another writer got there first.</summary>
    private bool TryCreate(string path, KeyKind kind)
    {
        CreateDirectory();
        string pem;
        using (AsymmetricAlgorithm algorithm = kind == KeyKind.EcP256 ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048))
        {
            pem = algorithm.ExportPkcs8PrivateKeyPem();
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(pem));
                stream.Flush(flushToDisk: true);
            }

            return ExclusiveFilePlacement.TryPlace(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private void CreateDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static LocalKey Load(string path, KeyKind kind)
    {
        var pem = File.ReadAllText(path, Encoding.ASCII);
        try
        {
            if (kind == KeyKind.EcP256)
            {
                var ecdsa = ECDsa.Create();
                ecdsa.ImportFromPem(pem);
                var publicKey = ecdsa.ExportParameters(includePrivateParameters: false);
                if (publicKey.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                {
                    ecdsa.Dispose();
                    throw new CryptographicException("not a P-256 key");
                }

                return new LocalKey(JsonWebKeys.FromEc(string.Empty, publicKey), publicKey, ecdsa, null);
            }

            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            if (rsa.KeySize < 2048)
            {
                rsa.Dispose();
                throw new CryptographicException("RSA key shorter than 2048 bits");
            }

            return new LocalKey(JsonWebKeys.FromRsa(string.Empty, rsa.ExportParameters(includePrivateParameters: false)), default, null, rsa);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"The local key file '{path}' is not a valid {(kind == KeyKind.EcP256 ? "EC P-256" : "RSA-2048")} private key. Delete it to create a new key (data wrapped with the old key becomes unreadable).", ex);
        }
    }

    private sealed class LocalKey : IDisposable
    {
        /// <param name="jwk">The public key; its kid is replaced by its thumbprint.</param>
        public LocalKey(PublicJsonWebKey jwk, ECParameters ecPublicKey, ECDsa? ecdsa, RSA? rsa)
        {
            Kid = JsonWebKeys.Thumbprint(jwk);
            PublicKey = jwk with { Kid = Kid };
            EcPublicKey = ecPublicKey;
            Ecdsa = ecdsa;
            Rsa = rsa;
        }

        public string Kid { get; }

        public PublicJsonWebKey PublicKey { get; }

        public ECParameters EcPublicKey { get; }

        /// <summary>The private key objects; callers lock the <see cref="LocalKey"/> while using them.</summary>
        public ECDsa? Ecdsa { get; }

        public RSA? Rsa { get; }

        public void Dispose()
        {
            Ecdsa?.Dispose();
            Rsa?.Dispose();
        }
    }
}
