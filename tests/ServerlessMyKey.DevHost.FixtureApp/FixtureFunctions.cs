using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace ServerlessMyKey.DevHost.FixtureApp;

public sealed class FixtureFunctions(Recorder recorder)
{
    [Function("Echo")]
    public static IActionResult Echo([HttpTrigger(AuthorizationLevel.Function, "get", Route = "echo/{name}/{count:int}")] HttpRequest request, string name, int count) =>
        new OkObjectResult(new { name, count, query = request.Query["q"].ToString() });

    [Function("Work")]
    public async Task Work([QueueTrigger("%Fixture:Queue%")] string message, long dequeueCount)
    {
        await recorder.RecordAsync("queue", message, dequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message.StartsWith("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("This message always fails.");
        }

        if (message.StartsWith("slow", StringComparison.Ordinal))
        {
            // Work that outlasts the tests' 5 s message lease (FixtureDevHost.QueueMessageLease) more than twice.
            await Task.Delay(TimeSpan.FromSeconds(12));
        }
    }

    [Function("Tick")]
    public Task Tick([TimerTrigger("*/1 * * * * *")] TimerInfo timer) =>
        recorder.RecordAsync("timer", "tick", timer.ScheduleStatus?.Next.ToString("O") ?? "none");

    [Function("StartApproval")]
    public static async Task<IActionResult> StartApproval(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "approvals/{name}")] HttpRequest request,
        string name,
        [DurableClient] DurableTaskClient client)
    {
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync(nameof(ApprovalOrchestrator), name);
        return new AcceptedResult($"/api/approvals/{instanceId}", new { instanceId });
    }

    [Function(nameof(ApprovalOrchestrator))]
    public static Task<string> RunApproval([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ApprovalOrchestrator().RunAsync(context, context.GetInput<string>()!);

    [Function("Shout")]
    public static Task<string> Shout([OrchestrationTrigger] TaskOrchestrationContext context) =>
        Task.FromResult(context.GetInput<string>()!.ToUpperInvariant());

    [Function("SayHello")]
    public static Task<string> SayHello([ActivityTrigger] string name, string instanceId) =>
        Task.FromResult($"Hello, {name}! ({instanceId.Length})");
}

/// <summary>Activity → durable timer → external event: the shape of the product's workflows.</summary>
public sealed class ApprovalOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var greeting = await context.CallActivityAsync<string>("SayHello", input);
        context.SetCustomStatus("timer");
        await context.CreateTimer(TimeSpan.FromSeconds(2), CancellationToken.None);
        context.SetCustomStatus("waiting");
        var approved = await context.WaitForExternalEvent<bool>("Approve");
        return $"{greeting} approved={approved}";
    }
}
