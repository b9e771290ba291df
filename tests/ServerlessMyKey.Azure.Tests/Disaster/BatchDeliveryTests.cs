using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// The fan-out works per batch (one range read, a leasing transaction, a recording transaction): what held per TV
/// still holds per batch. Real Azurite tables and queue, a loopback platform; the test is the queue trigger.
/// </summary>
public sealed class BatchDeliveryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private readonly FanOutHarness _app = new(azurite);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task The_same_batch_run_twice_at_once_sends_each_tv_once()
    {
        var (district, tvs) = await _app.PairTvsAsync(5);
        var alertId = await _app.AlertAndPlanAsync(district);
        var deliver = await _app.NextItemAsync(AlertWorkItem.Deliver);
        Assert.Equal(tvs.Order(StringComparer.Ordinal), deliver.TvIds);

        await Task.WhenAll(_app.FanOut.RunAsync(deliver), _app.FanOut.RunAsync(deliver));
        await _app.FanOut.RunAsync(deliver);

        foreach (var tv in tvs)
        {
            Assert.Equal((DeliveryStates.Delivered, 1), await _app.StateAsync(alertId, tv));
            Assert.Equal(1, _app.ReceivedFor(alertId, tv));
        }
    }

    [Fact]
    public async Task A_tv_unlinked_after_the_plan_is_not_sent_to_and_its_delivery_expires()
    {
        var (district, tvs) = await _app.PairTvsAsync(3);
        var alertId = await _app.AlertAndPlanAsync(district);
        await _app.Services.GetRequiredService<TvPairingService>().UnlinkAsync(FanOutHarness.Platform, tvs[1], _app.Holders[tvs[1]]);

        await _app.FanOut.RunAsync(await _app.NextItemAsync(AlertWorkItem.Deliver));

        var unlinked = await _app.DeliveryAsync(alertId, tvs[1]);
        Assert.Equal((DeliveryStates.Expired, "resident_gone"), (unlinked.State, unlinked.LastError));
        Assert.Equal(0, _app.ReceivedFor(alertId, tvs[1]));
        Assert.Equal(DeliveryStates.Delivered, (await _app.DeliveryAsync(alertId, tvs[0])).State);
        Assert.Equal(DeliveryStates.Delivered, (await _app.DeliveryAsync(alertId, tvs[2])).State);
    }

    [Fact]
    public async Task A_failed_send_is_retried_in_a_later_batch_and_the_others_of_the_batch_are_delivered()
    {
        var (district, tvs) = await _app.PairTvsAsync(3);
        var alertId = await _app.AlertAndPlanAsync(district);
        _app.Tvs.Statuses.Enqueue(503);

        await _app.FanOut.RunAsync(await _app.NextItemAsync(AlertWorkItem.Deliver));

        var states = await Task.WhenAll(tvs.Select(tv => _app.DeliveryAsync(alertId, tv)));
        var retrying = Assert.Single(states, d => d.State == DeliveryStates.Retrying);
        Assert.Equal(("http_503", 1), (retrying.LastError, retrying.Attempts));
        Assert.Equal(2, states.Count(d => d.State == DeliveryStates.Delivered));
    }

    [Fact]
    public async Task Names_travel_neither_in_queue_messages_nor_in_clear_in_delivery_rows()
    {
        const string Name = "秘密　花子";
        var (district, tvs) = await _app.PairTvsAsync(3, Name);
        var alertId = await _app.AlertAndPlanAsync(district);

        var queued = (await _app.Queue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        Assert.NotEmpty(queued);
        Assert.All(queued, body => Assert.DoesNotContain("花子", Regex.Unescape(body), StringComparison.Ordinal));

        var rows = _app.Table("DisasterAlerts")
            .Query<TableEntity>(e => e.PartitionKey == alertId).Where(e => e.RowKey.StartsWith("d|", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.NotNull(row.GetBinary("Names"));
            Assert.DoesNotContain(Encoding.UTF8.GetString(row.GetBinary("Names")), Name, StringComparison.Ordinal);
            Assert.All(((IDictionary<string, object>)row).Values.OfType<string>(), value => Assert.DoesNotContain("花子", value, StringComparison.Ordinal));
        });

        // The personal message still carries the name, decrypted in the worker.
        await _app.FanOut.RunAsync(await _app.NextItemAsync(AlertWorkItem.Deliver));
        var text = JsonDocument.Parse(_app.Tvs.Received.Last(r => Encoding.UTF8.GetString(r.Body).Contains(alertId, StringComparison.Ordinal)).Body).RootElement.GetProperty("text").GetString();
        Assert.StartsWith(Name + "さん", text, StringComparison.Ordinal);
    }
}
