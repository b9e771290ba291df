using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using ServerlessMyKey.Core.Delegation;

namespace ServerlessMyKey.Functions.Delegation;

/// <summary>Every minute: schedules delegator notifications that an acceptance request failed to schedule (see <see cref="DelegatorNotifications"/>).</summary>
public sealed class DelegatorNotificationFunctions(DelegatorNotifications notifications)
{
    [Function("SweepDelegatorNotifications")]
    public Task Sweep([TimerTrigger("15 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        notifications.SweepAsync(new DurableDelegatorNotificationScheduler(durable), cancellationToken);
}

/// <summary>One <see cref="DelegatorNotificationOrchestrator"/> instance per delegation and re-drive, started once.</summary>
public sealed class DurableDelegatorNotificationScheduler(DurableTaskClient durable) : IDelegatorNotificationScheduler
{
    public async Task ScheduleIfMissingAsync(DelegatorNotificationInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var instanceId = DelegatorNotificationOrchestrator.InstanceId(input.DelegationId, input.Redrive);
        if (await durable.GetInstanceAsync(instanceId, cancellationToken) is null)
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(DelegatorNotificationOrchestrator), input, new StartOrchestrationOptions(instanceId), cancellationToken);
        }
    }

    public async Task<bool> HasFailedAsync(DelegatorNotificationInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var instance = await durable.GetInstanceAsync(DelegatorNotificationOrchestrator.InstanceId(input.DelegationId, input.Redrive), cancellationToken);
        return instance is null
            ? input.Redrive == 0
            : instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
    }
}
