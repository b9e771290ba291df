using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Points;
using static ServerlessMyKey.Points.Tests.PointsHarness;

namespace ServerlessMyKey.Points.Tests;

/// <summary>The ledger under concurrent writers and repeated requests, through the service and the Table adapter on Azurite.</summary>
public sealed class ConcurrencyAndIdempotencyTests(PointsHarness harness) : IClassFixture<PointsHarness>
{
    [Fact]
    public async Task Fifty_concurrent_debits_of_100_against_1000_give_10_successes_and_40_insufficient_balance()
    {
        var myKeyId = NewMyKeyId();
        await harness.GrantAsync(myKeyId, Chiyoda, 1000);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            try
            {
                await harness.DebitAsync(myKeyId, Chiyoda, 100);
                return "ok";
            }
            catch (ServiceException ex)
            {
                return ex.Error.Code;
            }
        }));

        Assert.Equal(10, outcomes.Count(o => o == "ok"));
        Assert.Equal(40, outcomes.Count(o => o == ErrorCodes.InsufficientBalance.Code));
        var account = (await harness.Ledger.ReadAsync(myKeyId)).Account;
        Assert.Equal(0, account.BalanceIn(Chiyoda));
        Assert.Equal(11, account.Sequence);
        await LedgerAssert.SummaryIsSumOfEntriesAsync(harness, myKeyId);
    }

    [Fact]
    public async Task A_replayed_key_returns_the_first_response_and_moves_value_once()
    {
        var myKeyId = NewMyKeyId();
        await harness.GrantAsync(myKeyId, Chiyoda, 1000);
        var key = NewKey();

        var first = await harness.DebitAsync(myKeyId, Chiyoda, 300, key);
        await harness.GrantAsync(myKeyId, Chiyoda, 5); // the balance moves on; the replay must not
        var replay = await harness.DebitAsync(myKeyId, Chiyoda, 300, key);

        Assert.Equal(201, first.Status);
        Assert.Equal(first.Status, replay.Status);
        Assert.Equal(first.Body, replay.Body);
        Assert.Equal(700, LedgerAssert.Body<PointsMovementResponse>(replay).Balance.Municipalities.Single().Available);
        Assert.Equal(705, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(Chiyoda));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_move_value_once_and_all_get_the_same_response()
    {
        var myKeyId = NewMyKeyId();
        await harness.GrantAsync(myKeyId, Chiyoda, 1000);
        var key = NewKey();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => harness.DebitAsync(myKeyId, Chiyoda, 100, key)));

        Assert.All(responses, r => Assert.Equal(responses[0].Body, r.Body));
        Assert.Equal(900, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(Chiyoda));
        Assert.Equal(2, (await harness.Ledger.ReadAsync(myKeyId)).Account.Sequence);
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_idempotency_key_reused()
    {
        var myKeyId = NewMyKeyId();
        await harness.GrantAsync(myKeyId, Chiyoda, 1000);
        var key = NewKey();
        await harness.DebitAsync(myKeyId, Chiyoda, 100, key);

        var otherAmount = await Assert.ThrowsAsync<ServiceException>(() => harness.DebitAsync(myKeyId, Chiyoda, 101, key));
        var otherAccount = await Assert.ThrowsAsync<ServiceException>(() => harness.DebitAsync(NewMyKeyId(), Chiyoda, 100, key));

        Assert.Same(ErrorCodes.IdempotencyKeyReused, otherAmount.Error);
        Assert.Same(ErrorCodes.IdempotencyKeyReused, otherAccount.Error);
        Assert.Equal(900, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(Chiyoda));
    }

    [Fact]
    public async Task A_refused_debit_is_not_stored_so_its_key_can_be_retried_once_points_arrive()
    {
        var myKeyId = NewMyKeyId();
        var key = NewKey();

        await Assert.ThrowsAsync<ServiceException>(() => harness.DebitAsync(myKeyId, Chiyoda, 100, key));
        await harness.GrantAsync(myKeyId, Chiyoda, 100);
        var retried = await harness.DebitAsync(myKeyId, Chiyoda, 100, key);

        Assert.Equal(201, retried.Status);
        Assert.Equal(0, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(Chiyoda));
    }

    [Fact]
    public async Task Value_moving_operations_require_an_idempotency_key()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() =>
            harness.Points.DebitAsync(NewMyKeyId(), new DebitRequest(1, MerchantId(Chiyoda)), null, MerchantClient(Chiyoda)));

        Assert.Same(ErrorCodes.InvalidRequest, error.Error);
    }
}
