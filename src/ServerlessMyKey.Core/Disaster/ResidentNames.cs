using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// Keeps residents' names (display name, furigana) encrypted at rest. Each municipality has a data key
/// (AES-256), stored only envelope-encrypted under the <c>data-encryption</c> key (<see cref="EnvelopeEncryption"/>);
/// each name record is AES-256-GCM under it, bound to the municipality and resident id. The unwrapped
/// data key is kept in memory for a few minutes, so a table of 10,000 residents costs one unwrap, not 10,000.
/// </summary>
public sealed class ResidentNames(IDisasterRegistry registry, EnvelopeEncryption envelopes, TimeProvider time)
{
    private static readonly TimeSpan KeyCacheLifetime = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (byte[] Key, DateTimeOffset Until)> _keys = new(StringComparer.Ordinal);

    public async Task<byte[]> ProtectAsync(string municipalityCode, string residentId, ResidentName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = await DataKeyAsync(municipalityCode, cancellationToken);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(name);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var output = new byte[12 + plaintext.Length + 16];
        nonce.CopyTo(output, 0);
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(nonce, plaintext, output.AsSpan(12, plaintext.Length), output.AsSpan(12 + plaintext.Length), Aad(municipalityCode, residentId));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return output;
    }

    /// <exception cref="CryptographicException">The record was altered or belongs to another resident.</exception>
    public async Task<ResidentName> RevealAsync(string municipalityCode, string residentId, byte[] protectedName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protectedName);
        if (protectedName.Length < 28)
        {
            throw new CryptographicException("The protected name is truncated.");
        }

        var key = await DataKeyAsync(municipalityCode, cancellationToken);
        var plaintext = new byte[protectedName.Length - 28];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Decrypt(protectedName.AsSpan(0, 12), protectedName.AsSpan(12, plaintext.Length), protectedName.AsSpan(12 + plaintext.Length), plaintext, Aad(municipalityCode, residentId));
        }

        return JsonSerializer.Deserialize<ResidentName>(plaintext) ?? throw new CryptographicException("The protected name is empty.");
    }

    private async Task<byte[]> DataKeyAsync(string municipalityCode, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_keys.TryGetValue(municipalityCode, out var cached) && cached.Until > now)
        {
            return cached.Key;
        }

        var aad = Encoding.UTF8.GetBytes("disaster-data-key|" + municipalityCode);
        var stored = await registry.FindDataKeyAsync(municipalityCode, cancellationToken);
        if (stored is null)
        {
            var fresh = RandomNumberGenerator.GetBytes(32);
            var envelope = await envelopes.EncryptAsync(fresh, aad, cancellationToken);
            CryptographicOperations.ZeroMemory(fresh);
            await registry.TryAddDataKeyAsync(municipalityCode, JsonSerializer.SerializeToUtf8Bytes(envelope), cancellationToken);

            // Whoever won the insert, everyone uses the stored key.
            stored = await registry.FindDataKeyAsync(municipalityCode, cancellationToken) ?? throw new InvalidOperationException("The data key was not stored.");
        }

        var key = await envelopes.DecryptAsync(JsonSerializer.Deserialize<EncryptedEnvelope>(stored)!, aad, cancellationToken);
        _keys[municipalityCode] = (key, now + KeyCacheLifetime);
        return key;
    }

    private static byte[] Aad(string municipalityCode, string residentId) => Encoding.UTF8.GetBytes($"resident-name|{municipalityCode}|{residentId}");
}

/// <summary>A resident's names (personal data: never logged, never in Durable history, never stored in clear).</summary>
public sealed record ResidentName(string DisplayName, string Furigana);
