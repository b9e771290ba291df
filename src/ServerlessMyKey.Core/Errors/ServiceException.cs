namespace ServerlessMyKey.Core.Errors;

/// <summary>
/// The one carrier for an expected failure: a catalogued code plus a detail that is safe to show
/// the caller (no personal data, no secrets). The HTTP layer maps it to RFC 9457 problem+json.
/// </summary>
public sealed class ServiceException : Exception
{
    public ServiceException(ErrorCode error, string? detail = null, Exception? innerException = null)
        : base(detail ?? error.Title, innerException)
    {
        Error = error;
        Detail = detail ?? error.Title;
    }

    public ErrorCode Error { get; }

    public string Detail { get; }

    /// <summary>Extension members of the problem (e.g. <c>errors</c> of <c>form_invalid</c>, <c>delegationCode</c>); values must be safe to show.</summary>
    public IReadOnlyDictionary<string, object>? Extensions { get; init; }
}
