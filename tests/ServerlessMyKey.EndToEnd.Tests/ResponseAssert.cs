using System.Net;
using System.Text.Json;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>An answer a test goes on with: the exact status (the body shown when it differs), then its JSON.</summary>
public static class ResponseAssert
{
    /// <summary>The JSON body once the status is <paramref name="status"/>; <c>default</c> for an empty body.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
