using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Operations;
using ServerlessMyKey.EndToEnd.Tests.Delegation;
using ServerlessMyKey.Functions.Operations;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Durable;

/// <summary>
/// The purge timer on the DevHost's task hub (DurableTask.AzureStorage on Azurite): finished instances
/// of every orchestration (a transmission, a delegator notification, a child-care application) go once
/// past the retention, a bounded number per run; a running transmission stays.
/// </summary>
public sealed class FinishedOrchestrationPurgeTests(DelegationApiFixture app) : IClassFixture<DelegationApiFixture>
{
    [Fact]
    public async Task Finished_instances_of_every_orchestration_are_purged_after_the_retention_and_running_ones_stay()
    {
        var durable = app.Host.DurableClient!;
        var (_, agentId, _, id) = await app.ActiveDelegationAsync();
        var notification = DelegatorNotificationOrchestrator.InstanceId(id);
        await durable.WaitForInstanceCompletionAsync(notification);
        var acknowledged = await StartTransmissionAsync(agentId, id);
        await TransmissionRestartTests.WaitForStatusAsync(app.Http, acknowledged, app.AccessToken(agentId), "sent");
        Assert.Equal(HttpStatusCode.Accepted, (await app.SendAsync(HttpMethod.Post, $"api/delegations/transmissions/{acknowledged}/ack", apiKey: RecipientKey)).StatusCode);
        await TransmissionRestartTests.WaitForStatusAsync(app.Http, acknowledged, app.AccessToken(agentId), "acknowledged");
        var running = await StartTransmissionAsync(agentId, id);
        await TransmissionRestartTests.WaitForStatusAsync(app.Http, running, app.AccessToken(agentId), "sent");

        // Another feature's workflow, by name only: the purge does not care what an instance is.
        var application = Guid.NewGuid().ToString("N");
        await durable.ScheduleNewOrchestrationInstanceAsync("ApplicationOrchestrator", new StartOrchestrationOptions(application));
        await durable.TerminateInstanceAsync(application);
        await durable.WaitForInstanceCompletionAsync(application);

        // Within the retention nothing goes.
        Assert.Equal(0, await Purge(TimeSpan.Zero, batchSize: 1000).PurgeAsync(durable));

        // Past it: bounded per run, then the rest; the running transmission stays.
        Assert.Equal(1, await Purge(TimeSpan.FromDays(31), batchSize: 1).PurgeAsync(durable));
        Assert.Equal(2, await Purge(TimeSpan.FromDays(31), batchSize: 1000).PurgeAsync(durable));
        Assert.Null(await durable.GetInstanceAsync(notification));
        Assert.Null(await durable.GetInstanceAsync(acknowledged));
        Assert.Null(await durable.GetInstanceAsync(application));
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await durable.GetInstanceAsync(running))!.RuntimeStatus);
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, $"api/delegations/transmissions/{acknowledged}", bearerFor: agentId), HttpStatusCode.NotFound, "transmission_not_found");
    }

    private static PurgeFinishedOrchestrationsFunction Purge(TimeSpan later, int batchSize) =>
        new(new DurablePurgeOptions { PurgeBatchSize = batchSize }, new ShiftedClock(later), NullLogger<PurgeFinishedOrchestrationsFunction>.Instance);

    private async Task<string> StartTransmissionAsync(string agentId, string delegationId)
    {
        using var started = await app.SendAsync(HttpMethod.Post, $"api/delegations/{delegationId}/transmissions", new { recipient = Recipient }, bearerFor: agentId);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transmissionId").GetString()!;
    }

    private sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + by;
    }
}
