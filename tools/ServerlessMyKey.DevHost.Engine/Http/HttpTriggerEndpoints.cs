using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.DevHost.Invocation;
using ServerlessMyKey.DevHost.Metadata;

namespace ServerlessMyKey.DevHost.Http;

/// <summary>
/// Serves HTTP-triggered functions on Kestrel with the Functions host's routes: the route prefix
/// of host.json, the trigger's route template (or the function name) and its methods.
/// </summary>
internal static class HttpTriggerEndpoints
{
    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public static IReadOnlyList<ServedRoute> Map(IEndpointRouteBuilder endpoints, FunctionCatalog catalog, HostSettings host)
    {
        var served = new List<ServedRoute>();
        foreach (var function in catalog.WithTrigger("httpTrigger"))
        {
            var route = (function.Trigger.Route ?? function.Name).Trim('/');
            var pattern = "/" + (string.IsNullOrEmpty(host.RoutePrefix) ? route : host.RoutePrefix + "/" + route);
            var methods = function.Trigger.Methods is { Count: > 0 } m ? m.Select(x => x.ToUpperInvariant()).ToArray() : AllMethods;
            endpoints.MapMethods(pattern, methods, context => InvokeAsync(function, context)).WithDisplayName(function.Name);
            served.Add(new ServedRoute(function.Name, methods, pattern));
        }

        return served;
    }

    private static async Task InvokeAsync(HostedFunction function, HttpContext http)
    {
        var services = http.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + function.Name);
        var bindingData = http.Request.RouteValues.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        try
        {
            var result = await function.InvokeAsync(new InvocationContext
            {
                Services = services,
                CancellationToken = http.RequestAborted,
                HttpContext = http,
                BindingData = bindingData,
                DurableClient = services.GetService<DurableTaskClient>(),
            });
            await WriteResultAsync(http, result);
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            logger.LogError(ex, "Function {FunctionName} failed", function.Name);
            await ProblemWriter.WriteAsync(http, StatusCodes.Status500InternalServerError, "internal_error", "The function failed; see the DevHost log.");
        }
    }

    private static async Task WriteResultAsync(HttpContext http, object? result)
    {
        switch (result)
        {
            case IActionResult actionResult:
                await actionResult.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
                break;
            case IResult httpResult:
                await httpResult.ExecuteAsync(http);
                break;
            case null:
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case string text:
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync(text, http.RequestAborted);
                break;
            default:
                http.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(http.Response.Body, result, result.GetType(), ParameterBinder.WorkerJson, http.RequestAborted);
                break;
        }
    }
}

/// <summary>A route the DevHost serves: function, methods and path pattern.</summary>
public sealed record ServedRoute(string FunctionName, IReadOnlyList<string> Methods, string Pattern);
