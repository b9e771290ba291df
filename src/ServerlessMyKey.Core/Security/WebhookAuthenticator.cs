using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Security;

/// <summary>
/// Verifies inbound webhooks (Mynaportal, TV platforms) signed with <see cref="WebhookSignature"/>.
/// Several <c>v1</c> values are accepted so that a sender can rotate its secret.
/// </summary>
public sealed class WebhookAuthenticator(IEnumerable<WebhookSourceRegistration> sources, TimeProvider timeProvider)
{
    /// <summary>Shortest webhook secret accepted in configuration.</summary>
    public const int MinimumSecretLength = 16;

    private readonly Dictionary<string, byte[]> _secrets = sources.ToDictionary(
        s => s.Source,
        s => Encoding.UTF8.GetBytes(SecretSetting.Require(s.Secret, $"Webhooks:{s.Source}:Secret", MinimumSecretLength)),
        StringComparer.Ordinal);

    /// <summary>Throws <c>unauthenticated</c> unless the header is a fresh, valid signature of <paramref name="rawBody"/>.</summary>
    public void Verify(string source, string? signatureHeader, ReadOnlySpan<byte> rawBody)
    {
        if (!_secrets.TryGetValue(source, out var secret))
        {
            throw new ServiceException(ErrorCodes.Unauthenticated, "Unknown webhook source.");
        }

        if (!TryParse(signatureHeader, out var timestamp, out var signatures))
        {
            throw new ServiceException(ErrorCodes.Unauthenticated, $"The {WebhookSignature.HeaderName} header is missing or malformed.");
        }

        var signedAt = DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if ((timeProvider.GetUtcNow() - signedAt).Duration() > WebhookSignature.Tolerance)
        {
            throw new ServiceException(ErrorCodes.Unauthenticated, "The webhook signature is outside the 5-minute tolerance.");
        }

        var expected = WebhookSignature.Compute(secret, timestamp, rawBody);
        var valid = false;
        foreach (var candidate in signatures)
        {
            valid |= CryptographicOperations.FixedTimeEquals(expected, candidate);
        }

        if (!valid)
        {
            throw new ServiceException(ErrorCodes.Unauthenticated, "The webhook signature does not match.");
        }
    }

    private static bool TryParse(string? header, out long timestamp, out List<byte[]> signatures)
    {
        timestamp = 0;
        signatures = [];
        if (string.IsNullOrEmpty(header) || header.Length > 1024)
        {
            return false;
        }

        var hasTimestamp = false;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return false;
            }

            var (key, value) = (part[..eq], part[(eq + 1)..]);
            if (key == "t")
            {
                hasTimestamp = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp)
                    && timestamp is > 0 and < 253402300800;
            }
            else if (key == "v1" && value.Length == 64)
            {
                try
                {
                    signatures.Add(Convert.FromHexString(value));
                }
                catch (FormatException)
                {
                    return false;
                }
            }
        }

        return hasTimestamp && signatures.Count > 0;
    }
}

/// <summary>One configured webhook source (<c>Webhooks:&lt;source&gt;:Secret</c>).</summary>
public sealed record WebhookSourceRegistration(string Source, string Secret);
