using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessMyKey.Core.Security;

/// <summary>
/// The <c>x-mykey-signature</c> scheme used for webhooks in both directions:
/// <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")&gt;</c>.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "x-mykey-signature";

    /// <summary>How far the signed time may be from now, either way.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static byte[] Compute(ReadOnlySpan<byte> secret, long unixSeconds, ReadOnlySpan<byte> rawBody)
    {
        var prefix = Encoding.ASCII.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + rawBody.Length];
        prefix.CopyTo(signed, 0);
        rawBody.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(secret, signed);
    }

    /// <summary>The header value for an outbound webhook.</summary>
    public static string CreateHeader(ReadOnlySpan<byte> secret, DateTimeOffset now, ReadOnlySpan<byte> rawBody)
    {
        var t = now.ToUnixTimeSeconds();
        return string.Create(CultureInfo.InvariantCulture, $"t={t},v1={Convert.ToHexStringLower(Compute(secret, t, rawBody))}");
    }
}
