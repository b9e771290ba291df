using System.Security.Cryptography;
using System.Text;

namespace ServerlessMyKey.Jpki.Trust;

/// <summary>Reads certificate files: DER, or PEM with one or more CERTIFICATE blocks (RFC 7468).</summary>
internal static class CertificateFiles
{
    public static IReadOnlyList<byte[]> Decode(byte[] content)
    {
        if (content.Length > 0 && content[0] == 0x30)
        {
            return [content];
        }

        var text = Encoding.ASCII.GetString(content);
        var certificates = new List<byte[]>();
        var remaining = text.AsSpan();
        while (PemEncoding.TryFind(remaining, out var fields))
        {
            if (remaining[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                certificates.Add(Convert.FromBase64String(remaining[fields.Base64Data].ToString()));
            }

            remaining = remaining[fields.Location.End..];
        }

        if (certificates.Count == 0)
        {
            throw new CryptographicException("The file holds neither a DER certificate nor a PEM CERTIFICATE block.");
        }

        return certificates;
    }
}
