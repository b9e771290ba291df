using System.Reflection;
using ServerlessMyKey.Core.Disaster;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// The real registry, with one request stopped on its way: the first call of the named method (matching
/// <see cref="When"/>) waits, before it reaches the table, until the test calls <see cref="Release"/>; <see cref="Reached"/>
/// completes when it got there. So a test runs a second request exactly while the first holds what it has taken so far
/// (no sleeps).
/// </summary>
public class PausingRegistry : DispatchProxy
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IDisasterRegistry _inner = null!;
    private string _method = string.Empty;
    private int _paused;

    /// <summary>Which calls of the method pause (the first that matches, once).</summary>
    public Func<object?[], bool> When { get; set; } = _ => true;

    public Task Reached => _reached.Task;

    public static (IDisasterRegistry Registry, PausingRegistry Pause) Around(IDisasterRegistry inner, string method)
    {
        var registry = Create<IDisasterRegistry, PausingRegistry>();
        var pause = (PausingRegistry)(object)registry;
        (pause._inner, pause._method) = (inner, method);
        return (registry, pause);
    }

    public void Release() => _release.TrySetResult();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name != _method || !When(args ?? []) || Interlocked.Exchange(ref _paused, 1) == 1)
        {
            return targetMethod.Invoke(_inner, args);
        }

        _reached.TrySetResult();
        Func<object?> call = () => targetMethod.Invoke(_inner, args);
        return targetMethod.ReturnType.IsGenericType
            ? typeof(PausingRegistry).GetMethod(nameof(AfterRelease), BindingFlags.NonPublic | BindingFlags.Instance)!
                .MakeGenericMethod(targetMethod.ReturnType.GetGenericArguments()[0]).Invoke(this, [call])
            : AfterReleaseAsync(call);
    }

    private async Task<T> AfterRelease<T>(Func<object?> call)
    {
        await _release.Task;
        return await (Task<T>)call()!;
    }

    private async Task AfterReleaseAsync(Func<object?> call)
    {
        await _release.Task;
        await (Task)call()!;
    }
}
