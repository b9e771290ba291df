using System.Net;
using ServerlessMyKey.EndToEnd.Tests.Delegation;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Faults;

/// <summary>
/// Storage (which also holds the Durable task hub and the recipient's queue) stops right after a
/// delegation transmission starts, for longer than the task hub's leases, and starts again: the
/// transmission is sent, takes the recipient's ack and ends <c>acknowledged</c>.
/// </summary>
public sealed class TransmissionOutageTests
{
    [Fact]
    public async Task A_transmission_completes_after_storage_stops_and_starts_again()
    {
        await using var storage = StorageOutage.Start(await AzuriteServer.GetConnectionStringAsync());
        var dataPath = DevHostFixture.NewDataPath("fault-tx");
        var settings = new Dictionary<string, string?>
        {
            ["Clients:city-hall:ApiKey"] = RecipientKey,
            ["Clients:city-hall:Roles"] = "points.read",
            ["Delegation:Recipients:city-hall:Topic"] = AzuriteServer.UniqueName("delegation-city-hall-"),
            ["Delegation:AckTimeoutSeconds"] = "600",
        };
        await using var host = await DevHostFixture.StartAsync(storage.ConnectionString, dataPath, settings);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var (_, transmissionId, agentToken) = await TransmissionRestartTests.TransmitAsync(http, dataPath);

        await OutageSteps.StopUntilNoticedAsync(storage, http);

        // The outage outlasts the task hub's partition leases (8 s on the DevHost): the messages the Durable
        // backend had dequeued are dropped with the lease, and come back when their visibility timeout ends.
        // (With the backend's default of 5 minutes, this test took 5 min 16 s; it failed CI under load.)
        await Task.Delay(TimeSpan.FromSeconds(15));
        await OutageSteps.StartUntilNoticedAsync(storage, http);

        await TransmissionRestartTests.WaitForStatusAsync(http, transmissionId, agentToken, "sent", TimeSpan.FromMinutes(2));
        using var ack = new HttpRequestMessage(HttpMethod.Post, $"api/delegations/transmissions/{transmissionId}/ack");
        ack.Headers.Add("x-api-key", RecipientKey);
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(ack)).StatusCode);
        var done = await TransmissionRestartTests.WaitForStatusAsync(http, transmissionId, agentToken, "acknowledged");
        Assert.InRange(done.GetProperty("attempts").GetInt32(), 1, 3);
    }
}
