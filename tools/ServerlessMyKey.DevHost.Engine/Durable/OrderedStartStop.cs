using System.Reflection;
using DurableTask.Core;

namespace ServerlessMyKey.DevHost.Durable;

/// <summary>
/// Wraps the orchestration service so that the sidecar's stop never overtakes its start: the
/// sidecar starts the backend in the background when the worker connects, and stopping
/// DurableTask.AzureStorage before its start has finished throws on a thread-pool thread (which
/// ends the process). Stop waits for a pending start, is skipped when there was none, and runs
/// once: every caller (the sidecar's own shutdown hook and <see cref="DurableSidecar"/>) awaits
/// the same stop, so the DevHost returns only when the partition leases are released. A stop that
/// fails completes all the same (the shutdown hook would rethrow it on a thread-pool thread).
/// </summary>
public class OrderedStartStop : DispatchProxy
{
    private readonly object _gate = new();
    private IOrchestrationService _inner = null!;
    private Task? _start;
    private Task? _stop;

    public static IOrchestrationService Wrap(IOrchestrationService inner)
    {
        var proxy = Create<IOrchestrationService, OrderedStartStop>();
        ((OrderedStartStop)(object)proxy)._inner = inner;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case nameof(IOrchestrationService.StartAsync):
                lock (_gate)
                {
                    return _start ??= _inner.StartAsync();
                }

            case nameof(IOrchestrationService.StopAsync):
                lock (_gate)
                {
                    return _stop ??= _start is null ? Task.CompletedTask : StopAfterStartAsync(_start, args is { Length: 1 } && args[0] is true);
                }

            default:
                try
                {
                    return targetMethod.Invoke(_inner, args);
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                    throw;
                }
        }
    }

    private async Task StopAfterStartAsync(Task start, bool isForced)
    {
        try
        {
            await start.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // A backend that never started has nothing to stop.
        }

        try
        {
            await _inner.StopAsync(isForced).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // DurableTask.AzureStorage gives up on its partition manager after 10 minutes when storage is gone (a test
            // that stopped its Azurite, an outage at shutdown) and throws TimeoutException. The sidecar awaits this stop
            // in an async void shutdown hook, where that exception ended the whole process, 10 minutes after the host
            // was disposed (a test run aborted). The leases expire by themselves: nothing is left to stop.
        }
    }
}
