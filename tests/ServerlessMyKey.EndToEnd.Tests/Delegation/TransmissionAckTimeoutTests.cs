using System.Net;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>
/// A transmission nobody acknowledges, on a host of its own whose ack timeout is 3 s: the acknowledging tests
/// (<see cref="DelegationTransmissionTests"/>) run where the timeout is long, so that they never race this timer.
/// </summary>
public sealed class TransmissionAckTimeoutTests(TransmissionAckTimeoutTests.Fixture app) : IClassFixture<TransmissionAckTimeoutTests.Fixture>
{
    [Fact]
    public async Task Without_an_ack_it_fails_after_the_attempts_and_a_late_ack_is_refused()
    {
        var (_, agentId, _, id) = await app.ActiveDelegationAsync();
        var started = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/transmissions", new { recipient = Recipient }, bearerFor: agentId);
        var transmissionId = (await ResponseAssert.JsonAsync(started, HttpStatusCode.Accepted)).GetProperty("transmissionId").GetString()!;

        var failed = await TransmissionRestartTests.WaitForStatusAsync(app.Http, transmissionId, app.AccessToken(agentId), "failed");
        Assert.Equal(2, failed.GetProperty("attempts").GetInt32());
        var late = await app.SendAsync(HttpMethod.Post, $"api/delegations/transmissions/{transmissionId}/ack", apiKey: RecipientKey);
        await ProblemAssert.ExactAsync(late, HttpStatusCode.Conflict, "transmission_closed");
    }

    /// <summary>The delegation app whose transmissions wait 3 s for an ack (2 attempts, no back-off).</summary>
    public sealed class Fixture : DelegationApiFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings() =>
            new Dictionary<string, string?>(base.Settings()!) { ["Delegation:AckTimeoutSeconds"] = "3" };
    }
}
