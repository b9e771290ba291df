using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using ServerlessMyKey.Core.Childcare;

namespace ServerlessMyKey.Functions.Childcare;

/// <summary>One-line adapters of the application workflow (<see cref="ApplicationOrchestrator"/>) and its activities.</summary>
public sealed class ApplicationWorkflowFunctions(
    RemindParentActivity remind,
    HandToMunicipalityActivity handOver,
    DeliverNoticeActivity deliver,
    CloseRequestsActivity close)
{
    [Function(nameof(ApplicationOrchestrator))]
    public static Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ApplicationOrchestrator().RunAsync(context, context.GetInput<ApplicationWorkflowInput>()!);

    [Function(RemindParentActivity.Name)]
    public Task<bool> Remind([ActivityTrigger] string input, string instanceId) => remind.RunAsync(new AdapterActivityContext(RemindParentActivity.Name, instanceId), input);

    [Function(HandToMunicipalityActivity.Name)]
    public Task<string> HandOver([ActivityTrigger] string input, string instanceId) => handOver.RunAsync(new AdapterActivityContext(HandToMunicipalityActivity.Name, instanceId), input);

    [Function(DeliverNoticeActivity.Name)]
    public Task<bool> Deliver([ActivityTrigger] NoticeDelivery input, string instanceId) => deliver.RunAsync(new AdapterActivityContext(DeliverNoticeActivity.Name, instanceId), input);

    [Function(CloseRequestsActivity.Name)]
    public Task<bool> Close([ActivityTrigger] string input, string instanceId) => close.RunAsync(new AdapterActivityContext(CloseRequestsActivity.Name, instanceId), input);
}

/// <summary>The activity context a one-line adapter passes to a class-based activity.</summary>
internal sealed class AdapterActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;
}
