using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ServerlessMyKey.Functions.Disaster;

/// <summary>Query values of the disaster routes, and the CSV form of the municipality tables.</summary>
internal static class DisasterQuery
{
    /// <summary>The value, or <c>null</c> when absent or empty (the services check it).</summary>
    public static string? Optional(HttpRequest request, string name) =>
        request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    /// <summary>Whether <c>?format=csv</c> was asked for (anything else but <c>json</c> is 400).</summary>
    public static bool WantsCsv(HttpRequest request) => Optional(request, "format") switch
    {
        null or "json" => false,
        "csv" => true,
        _ => throw new Core.Errors.ServiceException(Core.Errors.ErrorCodes.InvalidRequest, "format must be json or csv."),
    };

    public static IActionResult Csv(byte[] body, string fileName) => new CsvResult(body, fileName);

    private sealed class CsvResult(byte[] body, string fileName) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/csv; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            await response.Body.WriteAsync(body, context.HttpContext.RequestAborted);
        }
    }
}
