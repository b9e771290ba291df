namespace ServerlessMyKey.Core.Keys;

/// <summary>
/// The service's own keys (token signing, receipt sealing, data-key wrapping). In Azure they live
/// in Key Vault and never leave it; locally they live in a key file under the DevHost data folder.
/// Keys are addressed by a logical name from <see cref="ServiceKeyNames"/>.
/// </summary>
public interface IKeyService
{
    /// <summary>Signs <paramref name="data"/> with ES256 (ECDSA P-256, SHA-256); the signature is r‖s (64 bytes, JWS form).</summary>
    Task<KeySignature> SignAsync(string keyName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Verifies an ES256 signature made by <see cref="SignAsync"/> with the key version named in <paramref name="keyId"/>.</summary>
    Task<bool> VerifyAsync(string keyName, string keyId, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default);

    /// <summary>The public half of the current signing key as a JWK (for the JWKS document).</summary>
    Task<PublicJsonWebKey> GetPublicKeyAsync(string keyName, CancellationToken cancellationToken = default);

    /// <summary>
    /// The keys the JWKS publishes: the current version, then the previous one while the current
    /// version is younger than <paramref name="previousOverlap"/> (a rotation's overlap). Key services
    /// without versions publish the current key only.
    /// </summary>
    async Task<IReadOnlyList<PublicJsonWebKey>> GetPublishedKeysAsync(string keyName, TimeSpan previousOverlap, CancellationToken cancellationToken = default) =>
        [await GetPublicKeyAsync(keyName, cancellationToken)];

    /// <summary>Wraps a data-encryption key with RSA-OAEP-256 (envelope encryption).</summary>
    Task<WrappedKey> WrapKeyAsync(string keyName, ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken = default);

    /// <summary>Unwraps a key produced by <see cref="WrapKeyAsync"/>; <see cref="WrappedKey.KeyId"/> selects the key version.</summary>
    Task<byte[]> UnwrapKeyAsync(string keyName, WrappedKey wrappedKey, CancellationToken cancellationToken = default);
}

/// <summary>An ES256 signature and the id of the key version that made it (the JWS <c>kid</c>).</summary>
public sealed record KeySignature(string KeyId, byte[] Signature);

/// <summary>A wrapped data key, with the key version and algorithm needed to unwrap it.</summary>
public sealed record WrappedKey(string KeyId, string Algorithm, byte[] Value);

/// <summary>The public members of a JSON Web Key (RFC 7517). EC keys set Crv/X/Y, RSA keys N/E.</summary>
public sealed record PublicJsonWebKey(string Kid, string Kty, string? Crv = null, string? X = null, string? Y = null, string? N = null, string? E = null)
{
    public string Use { get; init; } = "sig";

    public string? Alg { get; init; }
}

/// <summary>Logical names of the service keys; the adapters map them to Key Vault key names or key files.</summary>
public static class ServiceKeyNames
{
    /// <summary>EC P-256 key that signs access tokens and seals receipts.</summary>
    public const string TokenSigning = "token-signing";

    /// <summary>RSA key that wraps the data keys of envelope-encrypted personal data.</summary>
    public const string DataEncryption = "data-encryption";
}
