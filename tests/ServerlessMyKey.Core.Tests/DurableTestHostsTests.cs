using System.Net;
using System.Net.Sockets;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using ServerlessMyKey.LocalStorage;
using Xunit;

namespace ServerlessMyKey.Core.Tests;

/// <summary>The Durable test host started on a port another process took between the look and the bind.</summary>
public sealed class DurableTestHostsTests
{
    [Fact]
    public async Task A_port_taken_meanwhile_is_left_for_another_free_one()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var ports = new Queue<int>([((IPEndPoint)taken.LocalEndpoint).Port, LoopbackPorts.Free()]);

        await using var host = await DurableTestHosts.StartAsync(
            tasks => tasks.AddOrchestratorFunc<string, string>("Echo", (_, input) => input),
            _ => { },
            ports.Dequeue);

        Assert.Empty(ports);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "ok");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal("ok", done.ReadOutputAs<string>());
    }
}
