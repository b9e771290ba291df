using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Functions.Http;

/// <summary>
/// Reads request bodies under the API's rules: at most 1 MiB (413 beyond), JSON content type,
/// and malformed JSON as 400 <c>invalid_json</c> rather than an exception that becomes a 5xx.
/// </summary>
public static class RequestBody
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The raw body, refused with <c>payload_too_large</c> past <see cref="MaxBytes"/>.</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBytes)
        {
            throw new ServiceException(ErrorCodes.PayloadTooLarge);
        }

        using var buffer = new MemoryStream(capacity: (int)Math.Min(request.ContentLength ?? 4096, MaxBytes));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new ServiceException(ErrorCodes.PayloadTooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Reads and deserializes a required JSON body.</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken = default)
        where T : class
    {
        var value = await ReadOptionalJsonAsync<T>(request, cancellationToken);
        return value ?? throw new ServiceException(ErrorCodes.InvalidRequest, "A JSON request body is required.");
    }

    /// <summary>Reads a JSON body that may be absent (empty body gives <c>null</c>).</summary>
    public static async Task<T?> ReadOptionalJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken = default)
        where T : class
    {
        var bytes = await ReadBytesAsync(request, cancellationToken);
        if (bytes.Length == 0)
        {
            return null;
        }

        if (!IsJsonContentType(request.ContentType))
        {
            throw new ServiceException(ErrorCodes.UnsupportedMediaType);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(bytes, ApiJson.Options);
        }
        catch (JsonException ex)
        {
            // The reader's message names the position, never the content.
            throw new ServiceException(ErrorCodes.InvalidJson, $"The request body is not valid JSON for this operation (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).");
        }
    }

    private static bool IsJsonContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return true;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
