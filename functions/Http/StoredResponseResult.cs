using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Functions.Http;

/// <summary>
/// Writes a response kept for idempotent replay exactly as it was first sent (status and JSON
/// bytes), so a replay cannot differ from the original.
/// </summary>
public sealed class StoredResponseResult(StoredResponse response) : IActionResult
{
    public StoredResponse Response { get; } = response ?? throw new ArgumentNullException(nameof(response));

    /// <summary>The <c>Idempotency-Key</c> header, or <c>null</c> when the request has none (an empty header counts as none).</summary>
    public static string? IdempotencyKeyOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers[IdempotentRequest.HeaderName].ToString() is { Length: > 0 } key ? key : null;
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext.Response;
        http.StatusCode = Response.Status;
        http.ContentType = "application/json; charset=utf-8";
        http.Headers.CacheControl = "no-store";
        await http.Body.WriteAsync(Response.Body, context.HttpContext.RequestAborted);
    }
}
