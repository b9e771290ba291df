using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>
/// The delegator's acceptance notification is delivered at least once through a receiver outage: retried
/// on a (here short) capped back-off, dead-lettered visibly after the last attempt, re-driven by the
/// delegators' portal (issue #17, finding 5). One receiver per class, and the tests of a class run one
/// after the other, so the statuses queued for the receiver are the ones this test's delivery meets.
/// </summary>
public sealed class DelegatorNotificationDeliveryTests(DelegatorNotificationDeliveryTests.Fixture app) : IClassFixture<DelegatorNotificationDeliveryTests.Fixture>
{
    [Fact]
    public async Task A_receiver_down_for_a_while_gets_the_notification_once_without_a_redrive()
    {
        app.Receiver.Statuses.Enqueue(503);
        app.Receiver.Statuses.Enqueue(502);
        var (_, _, _, id) = await app.ActiveDelegationAsync();

        await WaitForDeliveriesAsync(id, 3);
        var delegation = await WaitForNotificationAsync(id, null);
        Assert.Single(delegation.GetProperty("history").EnumerateArray(), e => e.GetProperty("kind").GetString() == "delegator-notified");
        Assert.Equal(3, Deliveries(id));
    }

    [Fact]
    public async Task A_receiver_down_beyond_the_retries_is_dead_lettered_and_a_redrive_delivers_once()
    {
        for (var i = 0; i < Fixture.MaxAttempts; i++)
        {
            app.Receiver.Statuses.Enqueue(503);
        }

        var (_, _, _, id) = await app.ActiveDelegationAsync();
        var deadLettered = await WaitForNotificationAsync(id, "deadLettered");
        Assert.Equal(Fixture.MaxAttempts, deadLettered.GetProperty("attempts").GetInt32());
        Assert.Equal("http_503", deadLettered.GetProperty("code").GetString());
        Assert.Equal(Fixture.MaxAttempts, Deliveries(id));

        // Only the portal's role re-drives; the receiver is back, and holds its answer until both re-drives are in.
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/notification/redrive", apiKey: VerifierKey), HttpStatusCode.Forbidden, "forbidden");
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Receiver.BeforeAnswer = _ => answer.Task;
        try
        {
            var redriven = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/notification/redrive", apiKey: Fixture.PortalKey);
            var again = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/notification/redrive", apiKey: Fixture.PortalKey);
            Assert.Equal(HttpStatusCode.Accepted, redriven.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            Assert.Equal(1, (await redriven.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("redrives").GetInt32());
            Assert.Equal(1, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("redrives").GetInt32());
        }
        finally
        {
            answer.SetResult();
            app.Receiver.BeforeAnswer = null;
        }

        await WaitForDeliveriesAsync(id, Fixture.MaxAttempts + 1);
        await WaitForNotificationAsync(id, null);
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/notification/redrive", apiKey: Fixture.PortalKey), HttpStatusCode.Conflict, "notification_not_dead_lettered");
        Assert.Equal(Fixture.MaxAttempts + 1, Deliveries(id));
    }

    [Fact]
    public async Task A_redrive_of_a_missing_delegation_is_404_and_of_a_delivered_one_409()
    {
        var (_, _, _, id) = await app.ActiveDelegationAsync();
        await WaitForDeliveriesAsync(id, 1);
        await WaitForNotificationAsync(id, null);

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/delegations/{Guid.NewGuid():N}/notification/redrive", apiKey: Fixture.PortalKey), HttpStatusCode.NotFound, "delegation_not_found");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/notification/redrive", apiKey: Fixture.PortalKey), HttpStatusCode.Conflict, "notification_not_dead_lettered");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/notification/redrive"), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    private int Deliveries(string delegationId) =>
        app.Receiver.Received.Count(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("delegationId").GetString() == delegationId);

    private async Task<JsonElement> GetAsync(string delegationId) =>
        await (await app.SendAsync(HttpMethod.Get, $"api/delegations/{delegationId}", apiKey: VerifierKey)).Content.ReadFromJsonAsync<JsonElement>();

    private async Task WaitForDeliveriesAsync(string delegationId, int count)
    {
        for (var i = 0; i < 200 && Deliveries(delegationId) < count; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(count, Deliveries(delegationId));
    }

    /// <summary>Polls the delegation until its <c>notification.status</c> is <paramref name="status"/> (null: no notification left).</summary>
    private async Task<JsonElement> WaitForNotificationAsync(string delegationId, string? status)
    {
        JsonElement last = default;
        for (var i = 0; i < 200; i++)
        {
            last = await GetAsync(delegationId);
            var notification = last.TryGetProperty("notification", out var value) ? value : (JsonElement?)null;
            if (notification?.GetProperty("status").GetString() == status)
            {
                return notification ?? last;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The notification stayed {last}.");
    }

    /// <summary>The delegation fixture whose delegator webhook is a receiver that can fail, retried 3 times a second apart.</summary>
    public sealed class Fixture : DelegationApiFixture
    {
        public const int MaxAttempts = 3;
        public const string PortalKey = "e2e-delegators-portal-key-000000";

        public LoopbackWebhookReceiver Receiver { get; } = LoopbackWebhookReceiver.Start();

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Receiver.DisposeAsync();
        }

        protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>(base.Settings()!)
        {
            ["Delegation:DelegatorWebhook:Url"] = new Uri(Receiver.BaseAddress, "delegator-hook").ToString(),
            ["Delegation:DelegatorWebhook:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Delegation:DelegatorWebhook:RetryFirstSeconds"] = "1",
            ["Delegation:DelegatorWebhook:RetryMaxSeconds"] = "1",
            ["Clients:delegators-portal:ApiKey"] = PortalKey,
            ["Clients:delegators-portal:Roles"] = "delegations.notify",
        };
    }
}
