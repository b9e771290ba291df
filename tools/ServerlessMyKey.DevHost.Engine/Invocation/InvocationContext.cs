using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace ServerlessMyKey.DevHost.Invocation;

/// <summary>What one invocation can bind from: the trigger value, binding data, services.</summary>
public sealed class InvocationContext
{
    public required IServiceProvider Services { get; init; }

    public CancellationToken CancellationToken { get; init; }

    public HttpContext? HttpContext { get; init; }

    /// <summary>The trigger's payload: queue message text, TimerInfo, activity input, orchestration context.</summary>
    public object? TriggerValue { get; init; }

    /// <summary>Binding data by name (route values, <c>instanceId</c>, <c>dequeueCount</c>, ...), case-insensitive.</summary>
    public IReadOnlyDictionary<string, object?> BindingData { get; init; } = new Dictionary<string, object?>();

    public DurableTaskClient? DurableClient { get; init; }
}
