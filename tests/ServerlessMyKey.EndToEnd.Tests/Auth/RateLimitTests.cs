using Xunit;
using System.Net;
using System.Text.Json;

namespace ServerlessMyKey.EndToEnd.Tests.Auth;

/// <summary>The DevHost with small per-address limits, trusting a forwarded header as a platform in front would set it.</summary>
public sealed class RateLimitFixture : DevHostFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["RateLimits:Enabled"] = "true",
        ["RateLimits:Burst"] = "2",
        ["RateLimits:PermitsPerMinute"] = "1",
        ["RateLimits:ClientAddressHeader"] = "X-Forwarded-For",
        ["RateLimits:OidcLogin:Burst"] = "2",
        ["RateLimits:OidcLogin:PermitsPerMinute"] = "1",
        ["RateLimits:OidcToken:Burst"] = "3",
        ["RateLimits:OidcToken:PermitsPerMinute"] = "1",
    };
}

/// <summary>Unauthenticated login routes over real HTTP: one address's burst, then 429 rate_limited with Retry-After.</summary>
public sealed class RateLimitTests(RateLimitFixture fixture) : IClassFixture<RateLimitFixture>
{
    private async Task<HttpResponseMessage> PostAsync(string path, string clientAddress, string body = "{}")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return await fixture.Http.SendAsync(request);
    }

    [Fact]
    public async Task Challenges_and_sessions_share_one_allowance_per_address_then_429_with_retry_after()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/auth/challenges", "198.51.100.10")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/auth/challenges", "198.51.100.10")).StatusCode);

        using var refused = await PostAsync("/api/auth/sessions", "198.51.100.10");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("rate_limited", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string clientAddress)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return await fixture.Http.SendAsync(request);
    }

    private static async Task AssertOAuthTooManyAsync(HttpResponseMessage refused)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("temporarily_unavailable", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
    }

    [Fact]
    public async Task The_authorization_endpoint_and_the_login_steps_share_one_allowance_then_429_in_the_OAuth_shape()
    {
        const string Address = "198.51.100.30";
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/api/oidc/authorize?client_id=nobody", Address)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/api/oidc/requests/ar_AAAAAAAAAAAAAAAAAAAAAA", Address)).StatusCode);

        await AssertOAuthTooManyAsync(await GetAsync("/api/oidc/authorize?client_id=nobody", Address));
        using var login = await PostAsync("/api/oidc/requests/ar_AAAAAAAAAAAAAAAAAAAAAA/login", Address);
        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode);
        Assert.Equal("rate_limited", JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        // The citizen login routes keep their own allowance.
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/auth/challenges", Address)).StatusCode);
    }

    [Fact]
    public async Task The_token_endpoint_has_its_own_allowance_then_429_in_the_OAuth_shape()
    {
        const string Address = "198.51.100.40";
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/oidc/token") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "authorization_code" }) };
            request.Headers.Add("X-Forwarded-For", Address);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await fixture.Http.SendAsync(request)).StatusCode);
        }

        using var refused = new HttpRequestMessage(HttpMethod.Post, "/api/oidc/token") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "authorization_code" }) };
        refused.Headers.Add("X-Forwarded-For", Address);
        await AssertOAuthTooManyAsync(await fixture.Http.SendAsync(refused));
    }

    [Fact]
    public async Task Another_address_is_not_held_back()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/auth/challenges", "198.51.100.20")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/auth/challenges", "198.51.100.20")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostAsync("/api/auth/challenges", "198.51.100.20")).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/auth/challenges", "198.51.100.21")).StatusCode);
    }
}
