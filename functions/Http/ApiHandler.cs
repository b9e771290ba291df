using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Functions.Http;

/// <summary>
/// Runs an HTTP function body and maps every failure to problem+json in one place: expected
/// failures (<see cref="ServiceException"/>) to their catalogued status, storage that did not answer
/// to 503 <c>storage_unavailable</c> with <c>Retry-After</c>, anything else to a 500
/// whose detail reveals nothing (the exception goes to the log with the request path only).
/// </summary>
public static class ApiHandler
{
    public static async Task<IActionResult> RunAsync(HttpRequest request, ILogger logger, Func<Task<IActionResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(handler);
        try
        {
            return await handler();
        }
        catch (ServiceException ex)
        {
            logger.LogInformation("Request {Method} {Path} refused with {Code}", request.Method, request.Path.Value, ex.Error.Code);
            return Problems.For(ex, request.Path.Value);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Problems.For(ErrorCodes.InvalidRequest, "The client closed the request.");
        }
        catch (BadHttpRequestException ex)
        {
            var error = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? ErrorCodes.PayloadTooLarge : ErrorCodes.InvalidRequest;
            return Problems.For(error, instance: request.Path.Value);
        }
        catch (Exception ex) when (StorageOutages.IsOutage(ex))
        {
            logger.LogWarning(ex, "Request {Method} {Path} refused with {Code}: storage did not answer", request.Method, request.Path.Value, ErrorCodes.StorageUnavailable.Code);
            var problem = Problems.For(ErrorCodes.StorageUnavailable, instance: request.Path.Value);
            problem.Headers["Retry-After"] = "5";
            return problem;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Request {Method} {Path} failed unexpectedly", request.Method, request.Path.Value);
            return Problems.For(ErrorCodes.InternalError, "An unexpected error occurred; it has been logged.", request.Path.Value);
        }
    }
}
