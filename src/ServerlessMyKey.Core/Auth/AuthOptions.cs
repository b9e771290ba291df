namespace ServerlessMyKey.Core.Auth;

/// <summary>Settings of JPKI login (<c>Auth:*</c>).</summary>
public sealed record AuthOptions
{
    /// <summary>Lifetime of a login challenge (<c>Auth:ChallengeTtlSeconds</c>).</summary>
    public TimeSpan ChallengeLifetime { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Lifetime of an access token (<c>Auth:TokenLifetimeSeconds</c>).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromSeconds(900);

    /// <summary>
    /// <c>iss</c> of access tokens (<c>Auth:Issuer</c>). When not configured, the host's base URL:
    /// <c>https://&lt;WEBSITE_HOSTNAME&gt;/api</c> in Azure, the DevHost's URL locally.
    /// </summary>
    public string Issuer { get; init; } = "http://127.0.0.1:7071/api";

    /// <summary>The audience this API accepts in tokens (<c>Auth:Audience</c>).</summary>
    public string Audience { get; init; } = "serverlessmykey-api";

    /// <summary>Clock skew allowed when checking token times (<c>Auth:ClockSkewSeconds</c>).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the JWKS keeps the previous token-signing key version after a rotation (<c>Auth:JwksRotationOverlapSeconds</c>).</summary>
    public TimeSpan JwksRotationOverlap { get; init; } = TimeSpan.FromDays(1);
}
