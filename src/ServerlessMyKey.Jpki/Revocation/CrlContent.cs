using System.Buffers;
using System.Buffers.Text;

namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>
/// Turns a CRL file's bytes into DER: DER as is, PEM (<c>-----BEGIN X509 CRL-----</c>, RFC 7468 §5)
/// decoded in place, so a CRL of tens of megabytes is never held twice.
/// </summary>
internal static class CrlContent
{
    private static ReadOnlySpan<byte> Begin => "-----BEGIN X509 CRL-----"u8;

    private static ReadOnlySpan<byte> End => "-----END X509 CRL-----"u8;

    /// <exception cref="InvalidDataException">Neither DER nor a PEM X509 CRL block.</exception>
    public static Memory<byte> Decode(byte[] content)
    {
        var span = content.AsSpan();
        var begin = span.IndexOf(Begin);
        if (begin < 0)
        {
            return content.Length > 0 && content[0] == 0x30
                ? content
                : throw new InvalidDataException("The CRL is neither DER nor PEM (X509 CRL).");
        }

        var start = begin + Begin.Length;
        var length = span[start..].IndexOf(End);
        if (length < 0)
        {
            throw new InvalidDataException("The PEM CRL has no END line.");
        }

        // Drop the line breaks of the base64 body, then decode over the same bytes.
        var body = span.Slice(start, length);
        var written = 0;
        foreach (var b in body)
        {
            if (b is not ((byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t'))
            {
                body[written++] = b;
            }
        }

        if (Base64.DecodeFromUtf8InPlace(body[..written], out var decoded) != OperationStatus.Done)
        {
            throw new InvalidDataException("The PEM CRL is not valid base64.");
        }

        return content.AsMemory(start, decoded);
    }
}
