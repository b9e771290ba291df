using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using ServerlessMyKey.Functions.Hosting;
using ServerlessMyKey.Functions.Http;
using Xunit;

namespace ServerlessMyKey.Functions.Tests;

/// <summary>Per-client-address limits on the unauthenticated routes: who counts as whom, and the 429 they get.</summary>
public sealed class ClientRateLimiterTests
{
    private static HttpRequest Request(string peer, string? header = null, string? value = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Path = "/api/auth/challenges";
        if (header is not null)
        {
            context.Request.Headers[header] = value;
        }

        return context.Request;
    }

    [Fact]
    public async Task Beyond_the_burst_an_address_gets_429_rate_limited_with_retry_after()
    {
        using var limiter = new ClientRateLimiter(new RateLimitOptions { Burst = 2, PermitsPerMinute = 1 });

        Assert.Null(limiter.Refuse(Request("203.0.113.7"), "login"));
        Assert.Null(limiter.Refuse(Request("203.0.113.7"), "login"));
        var refused = Assert.IsType<JsonBodyResult>(limiter.Refuse(Request("203.0.113.7"), "login"));

        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await refused.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Response.Body);
        Assert.Equal(429, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal("rate_limited", body.GetProperty("code").GetString());
        var retryAfter = int.Parse(context.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
    }

    [Fact]
    public void Addresses_and_policies_have_their_own_allowance()
    {
        using var limiter = new ClientRateLimiter(new RateLimitOptions { Burst = 1, PermitsPerMinute = 1 });

        Assert.Null(limiter.Refuse(Request("203.0.113.7"), "login"));
        Assert.NotNull(limiter.Refuse(Request("203.0.113.7"), "login"));
        Assert.Null(limiter.Refuse(Request("203.0.113.8"), "login"));
        Assert.Null(limiter.Refuse(Request("203.0.113.7"), "other"));
    }

    [Fact]
    public void Disabled_limits_refuse_nothing()
    {
        using var limiter = new ClientRateLimiter(new RateLimitOptions { Enabled = false, Burst = 1, PermitsPerMinute = 1 });

        Assert.All(Enumerable.Range(0, 10), _ => Assert.Null(limiter.Refuse(Request("203.0.113.7"), "login")));
    }

    [Fact]
    public void A_forwarded_header_is_ignored_unless_configured()
    {
        Assert.Equal("10.0.0.1", ClientAddress.Of(Request("10.0.0.1", "X-Forwarded-For", "203.0.113.7"), trustedHeader: ""));
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("198.51.100.1, 203.0.113.7", "203.0.113.7")] // the entry the nearest (trusted) proxy appended
    [InlineData("203.0.113.7:51234", "203.0.113.7")]
    [InlineData("[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64")]
    [InlineData("not-an-address", "10.0.0.1")] // unusable: the TCP peer
    [InlineData("", "10.0.0.1")]
    public void The_trusted_header_gives_the_last_entry(string value, string expected)
    {
        Assert.Equal(expected, ClientAddress.Of(Request("10.0.0.1", "X-Forwarded-For", value), "X-Forwarded-For"));
    }

    [Fact]
    public void Ipv6_counts_per_64_and_mapped_ipv4_as_ipv4()
    {
        Assert.Equal("2001:db8:1:2::/64", ClientAddress.Of(Request("2001:db8:1:2:ffff::1"), null));
        Assert.Equal(ClientAddress.Of(Request("2001:db8:1:2::9"), null), ClientAddress.Of(Request("2001:db8:1:2:abcd::1"), null));
        Assert.Equal("203.0.113.7", ClientAddress.Of(Request("::ffff:203.0.113.7"), null));
    }

    [Theory]
    [InlineData("RateLimits:PermitsPerMinute", "0")]
    [InlineData("RateLimits:Burst", "-1")]
    [InlineData("RateLimits:Enabled", "yes")]
    [InlineData("RateLimits:ClientAddressHeader", "X-Forwarded-For: 1.2.3.4")]
    public void Invalid_settings_fail_at_start_naming_the_key(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => RateLimitServiceCollectionExtensions.ReadOptions(configuration));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_on_and_trust_no_header()
    {
        var options = RateLimitServiceCollectionExtensions.ReadOptions(new ConfigurationBuilder().Build());

        Assert.Equal(new RateLimitOptions { Enabled = true, PermitsPerMinute = 60, Burst = 20, ClientAddressHeader = "" }, options);
    }
}
