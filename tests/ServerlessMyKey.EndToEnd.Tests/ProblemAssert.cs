using System.Net;
using System.Text.Json;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>The contract of a refusal: the exact status, application/problem+json and the exact <c>code</c>.</summary>
public static class ProblemAssert
{
    public static async Task ExactAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
    }
}
