using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Functions.Http;
using Xunit;

namespace ServerlessMyKey.Functions.Tests;

public sealed class ApiHandlerTests
{
    private static async Task<(int Status, string? ContentType, JsonElement Body)> RunAsync(Func<Task<IActionResult>> handler)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/things";
        context.Response.Body = new MemoryStream();
        var result = await ApiHandler.RunAsync(context.Request, NullLogger.Instance, handler);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, context.Response.ContentType, await JsonSerializer.DeserializeAsync<JsonElement>(context.Response.Body));
    }

    [Fact]
    public async Task Service_exception_becomes_rfc9457_problem_with_its_code()
    {
        var (status, contentType, body) = await RunAsync(() => throw new ServiceException(ErrorCodes.Forbidden, "This operation needs the role 'points.debit'."));

        Assert.Equal(403, status);
        Assert.StartsWith("application/problem+json", contentType, StringComparison.Ordinal);
        Assert.Equal("forbidden", body.GetProperty("code").GetString());
        Assert.Equal(403, body.GetProperty("status").GetInt32());
        Assert.Equal(ErrorCodes.Forbidden.Title, body.GetProperty("title").GetString());
        Assert.Equal("This operation needs the role 'points.debit'.", body.GetProperty("detail").GetString());
        Assert.Equal("urn:serverlessmykey:problem:forbidden", body.GetProperty("type").GetString());
        Assert.Equal("/api/things", body.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Unexpected_exception_is_a_500_problem_that_reveals_nothing()
    {
        var (status, _, body) = await RunAsync(() => throw new InvalidOperationException("connection string AccountKey=abc"));

        Assert.Equal(500, status);
        Assert.Equal("internal_error", body.GetProperty("code").GetString());
        Assert.DoesNotContain("AccountKey", body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Success_passes_through()
    {
        var (status, contentType, body) = await RunAsync(() => Task.FromResult<IActionResult>(ApiJson.Created(new { id = "x1", createdAt = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) })));

        Assert.Equal(201, status);
        Assert.StartsWith("application/json", contentType, StringComparison.Ordinal);
        Assert.Equal("x1", body.GetProperty("id").GetString());
        Assert.Equal("2026-11-27T00:00:00+00:00", body.GetProperty("createdAt").GetString());
    }
}
