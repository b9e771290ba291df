using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Functions.Http;

/// <summary>
/// The one place that turns a catalogued <see cref="ErrorCode"/> into RFC 9457 problem+json:
/// <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c> and the stable <c>code</c>.
/// </summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>
    /// Base of the <c>type</c> URIs: a stable URN per code (RFC 9457 §3.1.1 allows non-resolvable
    /// URIs); docs/errors.md describes each code.
    /// </summary>
    public const string TypeBase = "urn:serverlessmykey:problem:";

    public static JsonBodyResult For(ErrorCode error, string? detail = null, string? instance = null, IReadOnlyDictionary<string, object>? extensions = null) =>
        new(new ProblemBody(TypeBase + error.Code, error.Title, error.Status, detail ?? error.Title, error.Code, instance)
        {
            Extensions = extensions?.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
        }, error.Status, ContentType);

    public static JsonBodyResult For(ServiceException exception, string? instance = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return For(exception.Error, exception.Detail, instance, exception.Extensions);
    }
}

/// <summary>RFC 9457 problem details with the API's <c>code</c> extension member.</summary>
public sealed record ProblemBody(string Type, string Title, int Status, string Detail, string Code, string? Instance)
{
    /// <summary>Feature-specific members written beside the standard ones (RFC 9457 §3.2).</summary>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, object>? Extensions { get; init; }
}
