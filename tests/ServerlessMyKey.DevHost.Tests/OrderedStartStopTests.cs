using System.Reflection;
using DurableTask.Core;
using ServerlessMyKey.DevHost.Durable;
using Xunit;

namespace ServerlessMyKey.DevHost.Tests;

/// <summary>
/// The Durable sidecar awaits its backend's stop in an async void shutdown hook, so a stop that fails must complete
/// without an exception: DurableTask.AzureStorage throws TimeoutException after 10 minutes when its partition manager
/// cannot stop (storage gone), and that ended an EndToEnd test run ("Test host process crashed") 10 minutes after
/// HealthTests disposed a host whose Azurite it had stopped.
/// </summary>
public sealed class OrderedStartStopTests
{
    [Fact]
    public async Task A_backend_stop_that_fails_completes_the_stop_without_an_exception()
    {
        var service = OrderedStartStop.Wrap(Backend.Create(Task.FromException(new TimeoutException("Timed-out waiting for the partition manager to shut down."))));
        await service.StartAsync();

        await service.StopAsync(isForced: false);
        await service.StopAsync(); // every caller awaits the same stop
    }

    [Fact]
    public async Task A_stop_without_a_start_stops_nothing()
    {
        var service = OrderedStartStop.Wrap(Backend.Create(Task.FromException(new InvalidOperationException("not started"))));

        await service.StopAsync(isForced: false);
    }

    /// <summary>A backend that starts at once and whose stop is the given task.</summary>
    public class Backend : DispatchProxy
    {
        private Task _stop = Task.CompletedTask;

        public static IOrchestrationService Create(Task stop)
        {
            var proxy = Create<IOrchestrationService, Backend>();
            ((Backend)(object)proxy)._stop = stop;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IOrchestrationService.StartAsync) => Task.CompletedTask,
            nameof(IOrchestrationService.StopAsync) => _stop,
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }
}
