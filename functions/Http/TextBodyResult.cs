using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace ServerlessMyKey.Functions.Http;

/// <summary>Writes a ready-made text body (e.g. a pre-serialized document) without MVC executors.</summary>
public sealed class TextBodyResult(string content, string contentType, int statusCode = 200) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = contentType + "; charset=utf-8";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(content), context.HttpContext.RequestAborted);
    }
}
