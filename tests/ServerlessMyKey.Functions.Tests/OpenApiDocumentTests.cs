using System.Text.Json;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Functions.OpenApi;
using Xunit;

namespace ServerlessMyKey.Functions.Tests;

public sealed class OpenApiDocumentTests
{
    private static JsonElement Document() => JsonDocument.Parse(OpenApiDocumentFactory.Json).RootElement;

    /// <summary>Every HTTP trigger in the build's functions.metadata, as (METHOD, /route).</summary>
    private static List<(string Method, string Path)> HttpTriggersInMetadata()
    {
        var path = Path.Combine(Path.GetDirectoryName(typeof(OpenApiDocumentFactory).Assembly.Location)!, "functions.metadata");
        using var metadata = JsonDocument.Parse(File.ReadAllText(path));
        var triggers = new List<(string, string)>();
        foreach (var function in metadata.RootElement.EnumerateArray())
        {
            foreach (var binding in function.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "httpTrigger"))
            {
                var route = System.Text.RegularExpressions.Regex.Replace(binding.GetProperty("route").GetString()!, @"\{\*?([A-Za-z0-9_]+)(:[^}?]+)?\??\}", "{$1}");
                triggers.AddRange(binding.GetProperty("methods").EnumerateArray().Select(m => (m.GetString()!.ToUpperInvariant(), "/" + route)));
            }
        }

        return triggers;
    }

    [Fact]
    public void Document_is_openapi_3_with_the_api_prefix()
    {
        var document = Document();

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("/api", document.GetProperty("servers")[0].GetProperty("url").GetString());
    }

    [Fact]
    public void Every_http_function_in_the_metadata_is_documented_at_its_route_and_method()
    {
        var paths = Document().GetProperty("paths");
        var triggers = HttpTriggersInMetadata();

        Assert.NotEmpty(triggers);
        Assert.All(triggers, t =>
        {
            Assert.True(paths.TryGetProperty(t.Path, out var item), $"{t.Path} is missing from the OpenAPI document");
            Assert.True(item.TryGetProperty(t.Method.ToLowerInvariant(), out _), $"{t.Method} {t.Path} is missing from the OpenAPI document");
        });
        Assert.Equal(triggers.Count, paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count()));
    }

    [Fact]
    public void Error_responses_reference_the_problem_schema_with_the_closed_code_list()
    {
        var document = Document();
        var codes = document.GetProperty("components").GetProperty("schemas").GetProperty("Problem").GetProperty("properties").GetProperty("code").GetProperty("enum")
            .EnumerateArray().Select(c => c.GetString()).ToList();

        Assert.Equal(ErrorCodes.All.Select(code => code.Code).Order(StringComparer.Ordinal), codes.Order(StringComparer.Ordinal));
        var health = document.GetProperty("paths").GetProperty("/health").GetProperty("get").GetProperty("responses");
        Assert.True(health.TryGetProperty("503", out var unavailable));
        Assert.True(unavailable.GetProperty("content").TryGetProperty("application/problem+json", out _));
    }

    [Fact]
    public void Route_prefix_matches_host_json()
    {
        var hostJson = Path.Combine(Path.GetDirectoryName(typeof(OpenApiDocumentFactory).Assembly.Location)!, "host.json");
        using var host = JsonDocument.Parse(File.ReadAllText(hostJson));

        Assert.Equal(OpenApiDocumentFactory.RoutePrefix, host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Statement_paging_query_parameters_are_documented()
    {
        var parameters = Document().GetProperty("paths").GetProperty("/points/accounts/{myKeyId}").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()).ToList();

        Assert.Equal(["limit", "continuationToken"], parameters);
    }
}
