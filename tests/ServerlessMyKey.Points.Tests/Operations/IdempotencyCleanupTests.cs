using Azure.Data.Tables;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Points;

namespace ServerlessMyKey.Points.Tests.Operations;

/// <summary>
/// The clean-up timer's idempotency part on Azurite: rows inside the window are kept (a replay gets
/// the first response), rows past it are deleted (the key starts a new request), in bounded batches.
/// Age is the row's service-set Timestamp, so the cut-off is moved, not the clock.
/// </summary>
public sealed class IdempotencyCleanupTests(PointsHarness harness) : IClassFixture<PointsHarness>
{
    [Fact]
    public async Task Rows_inside_the_window_are_kept_and_a_replay_answers_the_first_response()
    {
        var myKeyId = PointsHarness.NewMyKeyId();
        var key = PointsHarness.NewKey();
        await harness.GrantAsync(myKeyId, PointsHarness.Chiyoda, 1000);
        var first = await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 100, key);

        // Everything was written after this cut-off: inside the window.
        var deleted = await harness.IdempotencyCleanup.DeleteOlderThanAsync(DateTimeOffset.UtcNow.AddMinutes(-5), 1000);

        Assert.Equal(0, deleted);
        var replay = await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 100, key);
        Assert.Equal(first.Body, replay.Body);
        Assert.Equal(900, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(PointsHarness.Chiyoda));
    }

    [Fact]
    public async Task Rows_past_the_window_are_deleted_and_the_key_then_starts_a_new_request()
    {
        var myKeyId = PointsHarness.NewMyKeyId();
        var key = PointsHarness.NewKey();
        await harness.GrantAsync(myKeyId, PointsHarness.Chiyoda, 1000);
        await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 100, key);
        Assert.NotEmpty(await IdempotencyRowsAsync(myKeyId));

        await DeleteAllPastAsync(DateTimeOffset.UtcNow.AddMinutes(5));

        Assert.Empty(await IdempotencyRowsAsync(myKeyId));
        await LedgerAssert.SummaryIsSumOfEntriesAsync(harness, myKeyId);
        await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 100, key);
        Assert.Equal(800, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(PointsHarness.Chiyoda));
    }

    /// <summary>
    /// Childcare applications, status jobs and delegation transmissions derive their record's id from
    /// the key's hash and rely on the claim to refuse the key for another request: were the claim
    /// forgotten, a new application under an old key would be answered with the old one and dropped.
    /// </summary>
    [Fact]
    public async Task Claims_outlive_the_window_so_a_key_is_never_taken_for_another_request()
    {
        var key = PointsHarness.NewKey();
        await harness.Claims.ClaimAsync("childcare.submit", "scope", key, new { application = "first" });

        await DeleteAllPastAsync(DateTimeOffset.UtcNow.AddMinutes(5));

        var reused = await Assert.ThrowsAsync<ServiceException>(() => harness.Claims.ClaimAsync("childcare.submit", "scope", key, new { application = "second" }));
        Assert.Equal(ErrorCodes.IdempotencyKeyReused.Code, reused.Error.Code);
    }

    [Fact]
    public async Task A_run_deletes_at_most_the_batch_size_per_table()
    {
        var myKeyId = PointsHarness.NewMyKeyId();
        await harness.GrantAsync(myKeyId, PointsHarness.Chiyoda, 1000);
        for (var i = 0; i < 5; i++)
        {
            await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 10);
        }

        var claims = harness.Tables.GetTableClient(harness.TablePrefix + "IdempotencyClaims");
        var ledger = harness.Tables.GetTableClient(harness.TablePrefix + "PointsLedger");
        var claimsBefore = await CountAsync(claims, null);
        var responsesBefore = await CountAsync(ledger, IdempotencyFilter);

        await harness.IdempotencyCleanup.DeleteOlderThanAsync(DateTimeOffset.UtcNow.AddMinutes(5), maxRowsPerTable: 2);

        Assert.Equal(claimsBefore, await CountAsync(claims, null));
        Assert.Equal(responsesBefore - 2, await CountAsync(ledger, IdempotencyFilter));
    }

    private static readonly string IdempotencyFilter = TableClient.CreateQueryFilter($"RowKey ge {"idem|"} and RowKey lt {"idem}"}");

    private async Task DeleteAllPastAsync(DateTimeOffset cutoff)
    {
        while (await harness.IdempotencyCleanup.DeleteOlderThanAsync(cutoff, 1000) > 0)
        {
        }
    }

    private async Task<List<TableEntity>> IdempotencyRowsAsync(string myKeyId)
    {
        var ledger = harness.Tables.GetTableClient(harness.TablePrefix + "PointsLedger");
        var rows = new List<TableEntity>();
        await foreach (var row in ledger.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {myKeyId} and RowKey ge {"idem|"} and RowKey lt {"idem}"}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static async Task<int> CountAsync(TableClient table, string? filter)
    {
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey"]))
        {
            count++;
        }

        return count;
    }
}
