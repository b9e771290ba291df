using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ServerlessMyKey.Functions.Http;

/// <summary>
/// Writes a JSON body with System.Text.Json directly, so a result needs no MVC output formatters
/// and behaves the same under the Functions host and the DevHost.
/// </summary>
public sealed class JsonBodyResult(object? value, int statusCode, string contentType = "application/json") : IActionResult
{
    public object? Value { get; } = value;

    public int StatusCode { get; } = statusCode;

    public string ContentType { get; } = contentType;

    /// <summary>Extra response headers (e.g. <c>Location</c>, <c>Retry-After</c>).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, headerValue) in Headers)
        {
            response.Headers[name] = headerValue;
        }

        response.ContentType = ContentType + "; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(response.Body, Value, Value?.GetType() ?? typeof(object), ApiJson.Options, context.HttpContext.RequestAborted);
    }
}

/// <summary>The JSON conventions of the API: camelCase, RFC 3339 times, no nulls written.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options => Core.Idempotency.ApiJsonOptions.Options;

    public static JsonBodyResult Ok(object value) => new(value, StatusCodes.Status200OK);

    public static JsonBodyResult Created(object value, string? location = null)
    {
        var result = new JsonBodyResult(value, StatusCodes.Status201Created);
        if (location is not null)
        {
            result.Headers["Location"] = location;
        }

        return result;
    }

    public static JsonBodyResult Accepted(object value) => new(value, StatusCodes.Status202Accepted);
}
