namespace ServerlessMyKey.Core.Health;

/// <summary>Checks that a dependency answers. Implementations never throw for an unreachable dependency.</summary>
public interface IHealthProbe
{
    /// <summary>The dependency's name as reported by the health endpoint (e.g. <c>tables</c>).</summary>
    string Name { get; }

    Task<HealthProbeResult> CheckAsync(CancellationToken cancellationToken = default);
}

public sealed record HealthProbeResult(string Name, bool Healthy, string? Reason = null);
