using System.Net;
using System.Text.Json;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>The contract of a refusal: the exact status, application/problem+json and the exact <c>code</c>; the problem document is returned for what else a test checks (its <c>detail</c>).</summary>
public static class ProblemAssert
{
    public static async Task<JsonElement> ExactAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}
