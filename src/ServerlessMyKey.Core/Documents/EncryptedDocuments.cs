using System.Text;
using System.Text.Json;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Documents;

/// <summary>Blobs of one container, by name (Blob Storage in Azure).</summary>
public interface IDocumentBlobs
{
    /// <summary>Writes (or replaces) the blob.</summary>
    Task PutAsync(string name, byte[] content, CancellationToken cancellationToken = default);

    /// <summary>The blob's bytes, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob when it exists.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>
/// JSON documents that hold personal data, envelope-encrypted (<see cref="EnvelopeEncryption"/>) before
/// they reach a blob. The blob's name is the associated data, so a ciphertext moved to another name
/// no longer decrypts.
/// </summary>
public sealed class EncryptedDocuments(IDocumentBlobs blobs, EnvelopeEncryption envelopes)
{
    public async Task PutAsync<T>(string name, T value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var envelope = await envelopes.EncryptAsync(ApiJsonOptions.Serialize(value), Encoding.UTF8.GetBytes(name), cancellationToken);
        await blobs.PutAsync(name, ApiJsonOptions.Serialize(envelope), cancellationToken);
    }

    public async Task<T?> GetAsync<T>(string name, CancellationToken cancellationToken = default)
        where T : class
    {
        var stored = await blobs.GetAsync(name, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var envelope = JsonSerializer.Deserialize<EncryptedEnvelope>(stored, ApiJsonOptions.Options)
            ?? throw new InvalidDataException($"Document {name} holds no envelope.");
        var plaintext = await envelopes.DecryptAsync(envelope, Encoding.UTF8.GetBytes(name), cancellationToken);
        return JsonSerializer.Deserialize<T>(plaintext, ApiJsonOptions.Options);
    }

    /// <summary>Deletes the document when it exists.</summary>
    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) => blobs.DeleteAsync(name, cancellationToken);
}
