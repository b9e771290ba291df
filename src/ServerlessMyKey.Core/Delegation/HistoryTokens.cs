using System.Buffers.Text;
using System.Text;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// <c>historyContinuationToken</c> of <c>GET /api/delegations/{id}</c>: the last event row key of a page,
/// base64url. Read back only if it is exactly such a key (anything else is <c>400 invalid_request</c>).
/// </summary>
internal static partial class HistoryTokens
{
    public static string Write(string rowKey) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(rowKey));

    public static string Read(string token)
    {
        string? rowKey = null;
        if (token.Length <= 64 && Base64Url.IsValid(token))
        {
            rowKey = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token));
        }

        return rowKey is not null && EventRowKey().IsMatch(rowKey)
            ? rowKey
            : throw new ServiceException(ErrorCodes.InvalidRequest, "continuationToken is not one this route gave.");
    }

    [GeneratedRegex(@"\Aevent\|[0-9]{19}-[0-9a-f]{8}\z", RegexOptions.CultureInvariant)]
    private static partial Regex EventRowKey();
}
