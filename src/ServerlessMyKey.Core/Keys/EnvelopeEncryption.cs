using System.Buffers.Text;
using System.Security.Cryptography;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Keys;

/// <summary>
/// Envelope encryption of personal data: a fresh AES-256-GCM data key per value, wrapped by the
/// key service's <see cref="ServiceKeyNames.DataEncryption"/> key (RSA-OAEP-256 in Key Vault), so the
/// plaintext key never rests anywhere. The associated data binds the ciphertext to its record.
/// </summary>
public sealed class EnvelopeEncryption(IKeyService keys)
{
    private const string ContentAlgorithm = "A256GCM";

    public async Task<EncryptedEnvelope> EncryptAsync(ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default)
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[AesGcm.TagByteSizes.MaxSize];
            using (var aes = new AesGcm(dataKey, tag.Length))
            {
                aes.Encrypt(nonce, plaintext.Span, ciphertext, tag, associatedData.Span);
            }

            var wrapped = await keys.WrapKeyAsync(ServiceKeyNames.DataEncryption, dataKey, cancellationToken);
            return new EncryptedEnvelope(
                ContentAlgorithm, ServiceKeyNames.DataEncryption, wrapped.KeyId, wrapped.Algorithm, Base64Url.EncodeToString(wrapped.Value),
                Base64Url.EncodeToString(nonce), Base64Url.EncodeToString(ciphertext), Base64Url.EncodeToString(tag));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <exception cref="CryptographicException">The envelope was altered or belongs to other associated data.</exception>
    public async Task<byte[]> DecryptAsync(EncryptedEnvelope envelope, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Alg != ContentAlgorithm)
        {
            throw new CryptographicException($"Unknown envelope algorithm {envelope.Alg}.");
        }

        var dataKey = await keys.UnwrapKeyAsync(envelope.KeyName, new WrappedKey(envelope.KeyId, envelope.WrapAlg, Base64Url.DecodeFromChars(envelope.WrappedKey)), cancellationToken);
        try
        {
            var ciphertext = Base64Url.DecodeFromChars(envelope.Ciphertext);
            var tag = Base64Url.DecodeFromChars(envelope.Tag);
            var plaintext = new byte[ciphertext.Length];
            using var aes = new AesGcm(dataKey, tag.Length);
            aes.Decrypt(Base64Url.DecodeFromChars(envelope.Nonce), ciphertext, tag, plaintext, associatedData.Span);
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
