using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using ServerlessMyKey.Core.Childcare;

namespace ServerlessMyKey.Functions.Childcare;

/// <summary>The application workflows through the Durable client: one <see cref="ApplicationOrchestrator"/> instance per application id.</summary>
public sealed class DurableApplicationWorkflows(DurableTaskClient durable) : IApplicationWorkflows
{
    public async Task EnsureStartedAsync(ApplicationWorkflowInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (await durable.GetInstanceAsync(input.ApplicationId, cancellationToken) is null)
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(ApplicationOrchestrator), input, new StartOrchestrationOptions(input.ApplicationId), cancellationToken);
        }
    }

    public Task RaiseAsync(string applicationId, string eventName, ApplicationSignal signal, CancellationToken cancellationToken = default) =>
        durable.RaiseEventAsync(applicationId, eventName, signal, cancellationToken);
}
