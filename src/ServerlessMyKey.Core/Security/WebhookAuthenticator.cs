using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Security;

/// <summary>
/// Verifies inbound webhooks (Mynaportal, TV platforms) signed with <see cref="WebhookSignature"/>.
/// Several <c>v1</c> values are accepted so that a sender can rotate its secret. A verified request
/// is taken once: its signature is kept for the tolerance window, and the same request sent again
/// is 409 <c>webhook_replayed</c> (a sender that retries signs again, with a new <c>t</c>).
/// </summary>
public sealed class WebhookAuthenticator(IEnumerable<WebhookSourceRegistration> sources, TimeProvider timeProvider, IWebhookReplayGuard? replays = null)
{
    /// <summary>Kept a little past the tolerance, for clocks of other instances that lag.</summary>
    private static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(1);

    /// <summary>Shortest webhook secret accepted in configuration.</summary>
    public const int MinimumSecretLength = 16;

    private readonly Dictionary<string, byte[]> _secrets = sources.ToDictionary(
        s => s.Source,
        s => Encoding.UTF8.GetBytes(SecretSetting.Require(s.Secret, $"Webhooks:{s.Source}:Secret", MinimumSecretLength)),
        StringComparer.Ordinal);

    /// <summary>
    /// <see cref="Verify"/>, then records the signature: 409 <c>webhook_replayed</c> when this request
    /// (same source, time and signature) was taken before within the window.
    /// </summary>
    public async Task VerifyOnceAsync(string source, string? signatureHeader, ReadOnlyMemory<byte> rawBody, CancellationToken cancellationToken = default)
    {
        var guard = replays ?? throw new InvalidOperationException("A webhook replay guard is required to take webhooks.");
        var verified = Verify(source, signatureHeader, rawBody.Span);
        if (!await guard.TryRecordAsync(verified.SignatureId, verified.SignedAt + WebhookSignature.Tolerance + ClockMargin, cancellationToken))
        {
            throw new ServiceException(ErrorCodes.WebhookReplayed, "This webhook request was already taken; sign a new request to send it again.");
        }
    }

    /// <summary>Throws <c>unauthenticated</c> unless the header is a fresh, valid signature of <paramref name="rawBody"/>.</summary>
    public VerifiedWebhook Verify(string source, string? signatureHeader, ReadOnlySpan<byte> rawBody)
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

        // The request is its source, time and body; the expected MAC stands for the last two.
        var id = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{source}\n{timestamp}\n{Convert.ToHexStringLower(expected)}")));
        return new VerifiedWebhook(source, signedAt, Convert.ToHexStringLower(id));
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

/// <summary>A verified webhook: its source, signed time and an id of the request (hex SHA-256), for replay detection.</summary>
public sealed record VerifiedWebhook(string Source, DateTimeOffset SignedAt, string SignatureId);

/// <summary>One configured webhook source (<c>Webhooks:&lt;source&gt;:Secret</c>).</summary>
public sealed record WebhookSourceRegistration(string Source, string Secret);
