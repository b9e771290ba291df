using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>A transmission waiting for its ack survives a DevHost restart: the new host finds it and takes the ack.</summary>
public sealed class TransmissionRestartTests
{
    [Fact]
    public async Task A_transmission_waiting_for_its_ack_survives_a_DevHost_restart()
    {
        var storage = await AzuriteServer.GetConnectionStringAsync();
        var dataPath = DevHostFixture.NewDataPath("restart");
        var hub = AzuriteServer.UniqueName("e2e");
        var settings = new Dictionary<string, string?>
        {
            ["Clients:city-hall:ApiKey"] = RecipientKey,
            ["Clients:city-hall:Roles"] = "points.read",
            ["Delegation:Recipients:city-hall:Topic"] = "delegation-city-hall",
            ["Delegation:AckTimeoutSeconds"] = "600",
        };
        string transmissionId, agentToken;

        await using (var first = await DevHostFixture.StartAsync(storage, dataPath, settings, durableHubName: hub))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            (_, transmissionId, agentToken) = await TransmitAsync(http, dataPath);
            await WaitForStatusAsync(http, transmissionId, agentToken, "sent");
        }

        await using var second = await DevHostFixture.StartAsync(storage, dataPath, settings, durableHubName: hub);
        using var http2 = new HttpClient { BaseAddress = second.BaseAddress };
        using var ack = new HttpRequestMessage(HttpMethod.Post, $"api/delegations/transmissions/{transmissionId}/ack");
        ack.Headers.Add("x-api-key", RecipientKey);
        Assert.Equal(HttpStatusCode.Accepted, (await http2.SendAsync(ack)).StatusCode);

        var done = await WaitForStatusAsync(http2, transmissionId, agentToken, "acknowledged");
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
    }

    /// <summary>
    /// Through a DevHost of its own (PKI in <paramref name="dataPath"/>): the representative's card signs a
    /// delegation to the agent, the agent logs in, accepts it and asks for its transmission to the recipient.
    /// </summary>
    internal static async Task<(string DelegationId, string TransmissionId, string AgentToken)> TransmitAsync(HttpClient http, string dataPath)
    {
        var pki = DevelopmentPki.LoadOrCreate(Path.Combine(dataPath, "pki"));
        var representative = pki.IssueCard(Representative);
        var agent = pki.IssueCard(Agent);
        var session = await new MyKeyApiClient(http).LoginAsync(agent);
        var agentId = session.GetProperty("myKeyId").GetString()!;
        var agentToken = session.GetProperty("accessToken").GetString()!;

        var document = Document(agentId);
        var created = await (await http.PostAsJsonAsync("api/delegations", new { delegation = document, signature = Signed(representative, document) })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("delegationId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Post, $"api/delegations/{id}/acceptance", agentToken, new { signature = Signed(agent, new { action = "accept", delegationId = id }) })).StatusCode);
        using var started = await SendAsync(http, HttpMethod.Post, $"api/delegations/{id}/transmissions", agentToken, new { recipient = Recipient });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return (id, (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transmissionId").GetString()!, agentToken);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return await http.SendAsync(request);
    }

    /// <summary>
    /// Polls the transmission's status (as its delegate) until it is <paramref name="status"/>, for 40 s or
    /// <paramref name="within"/> (after a storage outage the task hub's partition leases must expire and be taken again).
    /// </summary>
    internal static async Task<JsonElement> WaitForStatusAsync(HttpClient http, string transmissionId, string token, string status, TimeSpan? within = null)
    {
        JsonElement last = default;
        var deadline = DateTimeOffset.UtcNow + (within ?? TimeSpan.FromSeconds(40));
        while (DateTimeOffset.UtcNow < deadline)
        {
            last = await (await SendAsync(http, HttpMethod.Get, $"api/delegations/transmissions/{transmissionId}", token)).Content.ReadFromJsonAsync<JsonElement>();
            if (last.TryGetProperty("status", out var current) && current.GetString() == status)
            {
                return last;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Transmission stayed {last}.");
    }
}
