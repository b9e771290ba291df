using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ServerlessMyKey.Functions.Http;

namespace ServerlessMyKey.Functions.OpenApi;

/// <summary><c>GET /api/openapi.json</c>: the OpenAPI 3 document of every HTTP function.</summary>
public static class OpenApiFunction
{
    [Function("OpenApi")]
    [ApiOperation("Discovery", "The OpenAPI 3 document of this API.")]
    public static IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        new TextBodyResult(OpenApiDocumentFactory.Json, "application/json");
}
