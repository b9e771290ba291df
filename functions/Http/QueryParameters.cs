using System.Globalization;
using Microsoft.AspNetCore.Http;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Functions.Http;

/// <summary>Query parameters shared by paged routes; a malformed value is 400 <c>invalid_request</c>.</summary>
public static class QueryParameters
{
    /// <summary><c>limit</c> as a whole number, or <c>null</c> when absent (the service checks its range).</summary>
    public static int? Limit(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = request.Query["limit"].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
            ? limit
            : throw new ServiceException(ErrorCodes.InvalidRequest, "limit must be a whole number.");
    }

    /// <summary><c>continuationToken</c>, or <c>null</c> when absent or empty.</summary>
    public static string? ContinuationToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Query["continuationToken"].ToString() is { Length: > 0 } token ? token : null;
    }
}
