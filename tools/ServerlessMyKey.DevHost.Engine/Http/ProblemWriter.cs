using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ServerlessMyKey.DevHost.Http;

/// <summary>Host-level errors (no route, wrong method, crashed function) as RFC 9457 problem+json.</summary>
internal static class ProblemWriter
{
    public static async Task WriteAsync(HttpContext http, int status, string code, string detail)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/problem+json; charset=utf-8";
        var body = new Dictionary<string, object>
        {
            ["type"] = "about:blank",
            ["title"] = code.Replace('_', ' '),
            ["status"] = status,
            ["detail"] = detail,
            ["code"] = code,
            ["instance"] = http.Request.Path.Value ?? "/",
        };
        await JsonSerializer.SerializeAsync(http.Response.Body, body, cancellationToken: http.RequestAborted);
    }

    /// <summary>Gives bare 404/405 answers of the router a problem body.</summary>
    public static Task StatusCodePageAsync(HttpContext http) => http.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound => WriteAsync(http, 404, "not_found", "No function serves this route."),
        StatusCodes.Status405MethodNotAllowed => WriteAsync(http, 405, "method_not_allowed", "The function at this route does not accept this method."),
        _ => Task.CompletedTask,
    };
}
