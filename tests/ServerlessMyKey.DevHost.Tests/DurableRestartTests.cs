using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.DevHost.Tests;

/// <summary>
/// An orchestration (activity → durable timer → external event) started through an HTTP function
/// with a [DurableClient], interrupted by stopping the DevHost, and finished by a new DevHost on
/// the same storage: nothing is lost across the restart.
/// </summary>
public sealed class DurableRestartTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Orchestration_waiting_for_an_event_survives_a_DevHost_restart()
    {
        var fixture = new FixtureDevHost(azurite.ConnectionString);
        string instanceId;

        await using (var first = await fixture.StartAsync(enableTimers: false))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            var response = await http.PostAsync(new Uri("api/approvals/alice", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            instanceId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;

            var waiting = await FixtureDevHost.EventuallyAsync(
                () => first.DurableClient!.GetInstanceAsync(instanceId, getInputsAndOutputs: true),
                m => m?.SerializedCustomStatus == "\"waiting\"",
                TimeSpan.FromSeconds(40));
            Assert.Equal(OrchestrationRuntimeStatus.Running, waiting!.RuntimeStatus);
            Assert.Equal("\"waiting\"", waiting.SerializedCustomStatus);
        }

        await using var second = await fixture.StartAsync(enableTimers: false);
        var client = second.DurableClient!;
        var before = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Running, before!.RuntimeStatus);

        await client.RaiseEventAsync(instanceId, "Approve", true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var completed = await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, completed.RuntimeStatus);
        Assert.Equal($"Hello, alice! ({instanceId.Length}) approved=True", completed.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Orchestration_runs_activity_timer_and_event_to_completion()
    {
        var fixture = new FixtureDevHost(azurite.ConnectionString);
        await using var host = await fixture.StartAsync(enableTimers: false);
        var client = host.DurableClient!;
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync("ApprovalOrchestrator", "bob");
        await FixtureDevHost.EventuallyAsync(() => client.GetInstanceAsync(instanceId, getInputsAndOutputs: true), m => m?.SerializedCustomStatus == "\"waiting\"", TimeSpan.FromSeconds(30));

        await client.RaiseEventAsync(instanceId, "Approve", false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var completed = await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, completed.RuntimeStatus);
        Assert.Equal($"Hello, bob! ({instanceId.Length}) approved=False", completed.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Orchestration_without_waits_completes_with_its_output()
    {
        var fixture = new FixtureDevHost(azurite.ConnectionString);
        await using var host = await fixture.StartAsync(enableTimers: false);
        var client = host.DurableClient!;
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync("Shout", "quiet");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var completed = await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, completed.RuntimeStatus);
        Assert.Equal("QUIET", completed.ReadOutputAs<string>());
    }
}
