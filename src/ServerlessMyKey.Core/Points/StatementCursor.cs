using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Points;

/// <summary>
/// The continuation token of a statement: opaque to callers (base64url), it names the oldest entry
/// already returned. Anything that does not decode to one is refused with 400, never guessed at.
/// </summary>
public static class StatementCursor
{
    private const string Prefix = "pe1.";

    public static string Encode(long sequence) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(Prefix + sequence.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The sequence number in the token; 400 <c>invalid_request</c> when it is not one of ours.</summary>
    public static long Decode(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length is > 0 and <= 64 && Base64Url.IsValid(token))
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith(Prefix, StringComparison.Ordinal)
                && text.Length > Prefix.Length
                && text.AsSpan(Prefix.Length).IndexOfAnyExceptInRange('0', '9') < 0
                && long.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                && sequence > 0
                && Encode(sequence) == token)
            {
                return sequence;
            }
        }

        throw new ServiceException(ErrorCodes.InvalidRequest, "continuationToken is not a token this API issued.");
    }
}
