namespace ServerlessMyKey.Functions.OpenApi;

/// <summary>How a route authenticates its caller; drives the OpenAPI security requirement.</summary>
public enum ApiCaller
{
    Anonymous,
    Citizen,
    ServiceClient,
    CitizenAndServiceClient,
    Webhook,
}

/// <summary>
/// Describes an HTTP function for the OpenAPI document. Routes and methods come from the
/// <c>[HttpTrigger]</c> itself, so the document cannot drift from what is served.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ApiOperationAttribute(string tag, string summary) : Attribute
{
    public string Tag { get; } = tag;

    public string Summary { get; } = summary;

    public ApiCaller Caller { get; init; } = ApiCaller.Anonymous;

    /// <summary>Role a service client needs, when <see cref="Caller"/> involves one.</summary>
    public string? Role { get; init; }

    /// <summary>Type of the JSON request body, if any.</summary>
    public Type? RequestBody { get; init; }

    /// <summary>Type of the JSON body of the success response, if documented.</summary>
    public Type? ResponseBody { get; init; }

    /// <summary>Content types of the request body when it is not JSON (e.g. <c>application/cap+xml</c>).</summary>
    public string[] RequestContentTypes { get; init; } = [];

    /// <summary>Status codes the operation answers with (problem+json for 4xx/5xx).</summary>
    public int[] Responses { get; init; } = [200];

    /// <summary>Optional query parameters the operation reads (all strings in the document).</summary>
    public string[] Query { get; init; } = [];

    /// <summary>Whether the route honours an <c>Idempotency-Key</c> header.</summary>
    public bool Idempotent { get; init; }
}
