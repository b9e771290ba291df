using System.Text;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// A worker that stops mid-send (its function cancelled while the platform holds the request) leaves the TV's
/// delivery "sending": the re-check queued with the lease sends it again once the lease is over, and finds
/// nothing to do when the send completed. Real Azurite tables and queue, a loopback platform; the test is the
/// queue trigger (a 2-second lease so it runs in seconds).
/// </summary>
public sealed class DeliveryLeaseTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private readonly FanOutHarness _app = new(azurite, sendingLease: TimeSpan.FromSeconds(2));

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_delivery_left_sending_by_a_worker_that_stopped_is_sent_again_once_its_lease_is_over()
    {
        var (alertId, tv) = await AlertToOneTvAsync();
        var deliver = await _app.NextItemAsync(AlertWorkItem.Deliver);

        // The worker leases the TV, posts, and is stopped while the platform holds the request.
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _app.Tvs.BeforeAnswer = async _ =>
        {
            arrived.TrySetResult();
            await release.Task;
        };
        using (var stop = new CancellationTokenSource())
        {
            var worker = _app.FanOut.RunAsync(deliver, stop.Token);
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker);
        }

        _app.Tvs.BeforeAnswer = null;
        release.TrySetResult();
        Assert.Equal((DeliveryStates.Sending, 1), await _app.StateAsync(alertId, tv));

        // Nothing else is queued for the TV but the re-check of that lease: it sends again.
        await _app.PumpUntilAsync(async () => (await _app.StateAsync(alertId, tv)).State == DeliveryStates.Delivered);
        Assert.Equal((DeliveryStates.Delivered, 2), await _app.StateAsync(alertId, tv));
    }

    [Fact]
    public async Task The_recheck_of_a_completed_delivery_sends_nothing()
    {
        var (alertId, tv) = await AlertToOneTvAsync();
        await _app.PumpUntilAsync(async () => (await _app.StateAsync(alertId, tv)).State == DeliveryStates.Delivered);

        // The re-check becomes visible after the lease; the queue is empty once it ran.
        await _app.PumpUntilAsync(async () => (await _app.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0);
        Assert.Single(_app.Tvs.Received, r => Encoding.UTF8.GetString(r.Body).Contains(alertId, StringComparison.Ordinal));
        Assert.Equal((DeliveryStates.Delivered, 1), await _app.StateAsync(alertId, tv));
    }

    private async Task<(string AlertId, string TvId)> AlertToOneTvAsync()
    {
        var (district, tvs) = await _app.PairTvsAsync(1);
        return (await _app.AlertAndPlanAsync(district), tvs[0]);
    }
}
