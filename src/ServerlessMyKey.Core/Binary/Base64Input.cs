using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Binary;

/// <summary>
/// Binary values in request bodies (API.md conventions): the standard or the URL-safe base64
/// alphabet, padding optional. Anything else is <c>invalid_request</c> naming the field.
/// </summary>
public static class Base64Input
{
    public static byte[] Decode(string? value, string field, int maxBytes = 1024 * 1024)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'{field}' is required.");
        }

        if (value.Length > (maxBytes + 2) / 3 * 4 + 4)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"'{field}' is too long.");
        }

        var normalized = value.Trim().Replace('-', '+').Replace('_', '/');
        normalized = (normalized.Length % 4) switch
        {
            0 => normalized,
            2 => normalized + "==",
            3 => normalized + "=",
            _ => throw new ServiceException(ErrorCodes.InvalidRequest, $"'{field}' is not base64."),
        };

        var buffer = new byte[normalized.Length / 4 * 3];
        return Convert.TryFromBase64String(normalized, buffer, out var written) && written > 0
            ? buffer[..written]
            : throw new ServiceException(ErrorCodes.InvalidRequest, $"'{field}' is not base64.");
    }
}
