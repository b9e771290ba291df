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
}

/// <summary>
/// Per-client-address token buckets on the unauthenticated routes (challenge creation, login), so
/// that one address cannot fill the challenge table or spend the instance's CPU on signature checks.
/// In memory, per instance: a first line that Front Door / API Management in front complement
/// (docs/rate-limits.md). Idle buckets are dropped by the partitioned limiter.
/// </summary>
public sealed class ClientRateLimiter : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<string> _limiter;

    public ClientRateLimiter(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / options.PermitsPerMinute,
            QueueLimit = 0,
            AutoReplenishment = false, // the partitioned limiter's own timer replenishes every bucket
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket));
    }

    /// <summary>
    /// Null when the request may go on; otherwise <c>429 rate_limited</c> problem+json with <c>Retry-After</c>.
    /// </summary>
    /// <param name="policy">Routes that share one allowance per address (e.g. <c>login</c> for challenges and sessions).</param>
    public IActionResult? Refuse(HttpRequest request, string policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_options.Enabled)
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire(policy + " " + ClientAddress.Of(request, _options.ClientAddressHeader));
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1) / _options.PermitsPerMinute;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var problem = Problems.For(ErrorCodes.RateLimited, $"Too many requests from this address; retry in {seconds} s.", request.Path.Value);
        problem.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
        return problem;
    }

    public void Dispose() => _limiter.Dispose();
}
