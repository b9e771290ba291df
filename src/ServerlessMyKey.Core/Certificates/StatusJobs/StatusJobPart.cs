using System.Security.Cryptography;
using System.Text.Json;

namespace ServerlessMyKey.Core.Certificates.StatusJobs;

/// <summary>
/// One uploaded part of a job as stored: a JSON array of standard base64 DER certificates, with the
/// SHA-256 of that content (so an upload repeated with the same certificates is recognised).
/// </summary>
public sealed class StatusJobPart
{
    private StatusJobPart(byte[] content, IReadOnlyList<byte[]> certificates)
    {
        Content = content;
        Certificates = certificates;
        ContentHash = Convert.ToHexStringLower(SHA256.HashData(content));
    }

    public byte[] Content { get; }

    public IReadOnlyList<byte[]> Certificates { get; }

    public string ContentHash { get; }

    public int Count => Certificates.Count;

    public static StatusJobPart From(IReadOnlyList<byte[]> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return new(JsonSerializer.SerializeToUtf8Bytes(certificates.Select(Convert.ToBase64String).ToArray()), certificates);
    }

    /// <summary>Reads stored content back; stored content is only ever written by <see cref="From"/>.</summary>
    public static StatusJobPart Parse(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var values = JsonSerializer.Deserialize<string[]>(content) ?? throw new InvalidDataException("A stored status-job part is not a JSON array.");
        return new(content, values.Select(Convert.FromBase64String).ToArray());
    }
}
