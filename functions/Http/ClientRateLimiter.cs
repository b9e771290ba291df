using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Functions.Http;

/// <summary>Settings of the per-address limits on unauthenticated routes (<c>RateLimits:*</c>, docs/rate-limits.md).</summary>
public sealed record RateLimitOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>Requests per minute one client address may make to the limited routes, on average.</summary>
    public int PermitsPerMinute { get; init; } = 60;

    /// <summary>Requests one address may make at once before the average applies.</summary>
    public int Burst { get; init; } = 20;

    /// <summary>The header whose last entry is the client's address (set by the platform in front); empty: the TCP peer.</summary>
    public string ClientAddressHeader { get; init; } = "";

    /// <summary>The OpenID Connect browser steps (authorization endpoint, the login page's JSON steps), per holder address.</summary>
    public RateLimitAllowance OidcLogin { get; init; } = new(60, 20);

    /// <summary>The token endpoint, per relying-party server address (one address exchanges the codes of many holders).</summary>
    public RateLimitAllowance OidcToken { get; init; } = new(600, 100);

    /// <summary>The allowance of <paramref name="policy"/> (<see cref="ClientRateLimiter"/>'s policy names); the login one for any other.</summary>
    public RateLimitAllowance For(string policy) => policy switch
    {
        ClientRateLimiter.OidcLoginPolicy => OidcLogin,
        ClientRateLimiter.OidcTokenPolicy => OidcToken,
        _ => new RateLimitAllowance(PermitsPerMinute, Burst),
    };
}

/// <summary>One token bucket per address: <paramref name="PermitsPerMinute"/> on average, <paramref name="Burst"/> at once.</summary>
public sealed record RateLimitAllowance(int PermitsPerMinute, int Burst);

/// <summary>
/// Per-client-address token buckets on the unauthenticated routes (challenge creation, login), so
/// that one address cannot fill the challenge table or spend the instance's CPU on signature checks.
/// In memory, per instance: a first line that Front Door / API Management in front complement
/// (docs/rate-limits.md). Idle buckets are dropped by the partitioned limiter.
/// </summary>
public sealed class ClientRateLimiter : IDisposable
{
    /// <summary>Challenges and sessions of <c>/api/auth</c> (a login is one of each).</summary>
    public const string LoginPolicy = "login";

    /// <summary>The OpenID Connect authorization endpoint and the login page's JSON steps.</summary>
    public const string OidcLoginPolicy = "oidc-login";

    /// <summary>The OpenID Connect token endpoint.</summary>
    public const string OidcTokenPolicy = "oidc-token";

    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<(string Policy, string Address)> _limiter;

    public ClientRateLimiter(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _limiter = PartitionedRateLimiter.Create<(string Policy, string Address), (string Policy, string Address)>(
            key => RateLimitPartition.GetTokenBucketLimiter(key, k => Bucket(options.For(k.Policy))));
    }

    private static TokenBucketRateLimiterOptions Bucket(RateLimitAllowance allowance) => new()
    {
        TokenLimit = allowance.Burst,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromMinutes(1) / allowance.PermitsPerMinute,
        QueueLimit = 0,
        AutoReplenishment = false, // the partitioned limiter's own timer replenishes every bucket
    };

    /// <summary>
    /// Null when the request may go on; otherwise <c>429 rate_limited</c> problem+json with <c>Retry-After</c>.
    /// </summary>
    /// <param name="policy">Routes that share one allowance per address (e.g. <c>login</c> for challenges and sessions).</param>
    public IActionResult? Refuse(HttpRequest request, string policy)
    {
        if (RetryAfterSeconds(request, policy) is not { } seconds)
        {
            return null;
        }

        var problem = Problems.For(ErrorCodes.RateLimited, $"Too many requests from this address; retry in {seconds} s.", request.Path.Value);
        problem.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
        return problem;
    }

    /// <summary>Null when the request may go on; otherwise the seconds until <paramref name="policy"/>'s next token for this address (at least 1).</summary>
    public int? RetryAfterSeconds(HttpRequest request, string policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        if (!_options.Enabled)
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire((policy, ClientAddress.Of(request, _options.ClientAddressHeader)));
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1) / _options.For(policy).PermitsPerMinute;
        return Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
    }

    public void Dispose() => _limiter.Dispose();
}
