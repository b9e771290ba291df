using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Operations;
using ServerlessMyKey.Core.Points;

namespace ServerlessMyKey.Points.Tests.Operations;

/// <summary>
/// Idempotency claims moved from the first layout (RowKey <c>claim</c> for every claim, which made Azurite scan
/// all claims per insert) to PartitionKey = RowKey = key hash, on Azurite: a claim written by the old layout keeps
/// refusing its key for another request and keeps its replay a replay, before, during and after the migration,
/// in a process that starts after the upgrade. Each test has tables of its own (the layout is per table).
/// </summary>
public sealed class IdempotencyClaimLayoutTests
{
    [Fact]
    public async Task A_new_table_is_recorded_as_migrated_when_it_is_created()
    {
        await WithHarnessAsync(async harness =>
        {
            await harness.GrantAsync(PointsHarness.NewMyKeyId(), PointsHarness.Chiyoda, 10);

            var layout = await ClaimsTable(harness).GetEntityAsync<TableEntity>("layout", "layout");

            Assert.NotNull(layout.Value.GetDateTimeOffset("LegacyClaimsMigratedAt"));
            Assert.Empty(await LegacyClaimsAsync(harness));
        });
    }

    [Fact]
    public async Task A_legacy_claim_still_replays_its_debit_once_and_refuses_another_request()
    {
        await WithHarnessAsync(async harness =>
        {
            var myKeyId = PointsHarness.NewMyKeyId();
            var key = PointsHarness.NewKey();
            await harness.GrantAsync(myKeyId, PointsHarness.Chiyoda, 1000);
            var first = await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 100, key);
            await RewriteAsLegacyAsync(harness);

            await using var upgraded = await harness.NewProcessAsync();
            var points = upgraded.GetRequiredService<PointsLedgerService>();
            var replay = await points.DebitAsync(myKeyId, new DebitRequest(100, PointsHarness.MerchantId(PointsHarness.Chiyoda)), key, PointsHarness.MerchantClient(PointsHarness.Chiyoda));
            var other = await Assert.ThrowsAsync<ServiceException>(() =>
                points.DebitAsync(myKeyId, new DebitRequest(200, PointsHarness.MerchantId(PointsHarness.Chiyoda)), key, PointsHarness.MerchantClient(PointsHarness.Chiyoda)));

            Assert.Equal(first.Body, replay.Body);
            Assert.Equal(ErrorCodes.IdempotencyKeyReused.Code, other.Error.Code);
            Assert.Equal(900, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(PointsHarness.Chiyoda));
            Assert.Equal(2, (await LegacyClaimsAsync(harness)).Count);
            Assert.False((await ClaimsTable(harness).GetEntityIfExistsAsync<TableEntity>(DebitKeyHash(key), DebitKeyHash(key))).HasValue);
        });
    }

    [Fact]
    public async Task The_migration_moves_legacy_claims_in_bounded_runs_and_every_key_stays_claimed()
    {
        await WithHarnessAsync(async harness =>
        {
            var myKeyId = PointsHarness.NewMyKeyId();
            await harness.GrantAsync(myKeyId, PointsHarness.Chiyoda, 1000);
            var keys = Enumerable.Range(0, 3).Select(_ => PointsHarness.NewKey()).ToList();
            var firsts = new List<StoredResponse>();
            foreach (var key in keys)
            {
                firsts.Add(await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 100, key));
            }

            await RewriteAsLegacyAsync(harness);
            await using var upgraded = await harness.NewProcessAsync();
            var migration = upgraded.GetRequiredService<IIdempotencyClaimsMigration>();

            var run1 = await migration.MigrateAsync(maxRows: 3);
            var legacyAfterRun1 = (await LegacyClaimsAsync(harness)).Count;
            var run2 = await migration.MigrateAsync(maxRows: 3);
            var run3 = await migration.MigrateAsync(maxRows: 3);

            Assert.Equal(new ClaimsMigrationReport(3, false), run1);
            Assert.Equal(1, legacyAfterRun1);
            Assert.Equal(new ClaimsMigrationReport(1, true), run2);
            Assert.Equal(new ClaimsMigrationReport(0, true), run3);
            Assert.Empty(await LegacyClaimsAsync(harness));

            await using var later = await harness.NewProcessAsync();
            var points = later.GetRequiredService<PointsLedgerService>();
            for (var i = 0; i < keys.Count; i++)
            {
                var replay = await points.DebitAsync(myKeyId, new DebitRequest(100, PointsHarness.MerchantId(PointsHarness.Chiyoda)), keys[i], PointsHarness.MerchantClient(PointsHarness.Chiyoda));
                Assert.Equal(firsts[i].Body, replay.Body);
                var other = await Assert.ThrowsAsync<ServiceException>(() =>
                    points.DebitAsync(myKeyId, new DebitRequest(1, PointsHarness.MerchantId(PointsHarness.Chiyoda)), keys[i], PointsHarness.MerchantClient(PointsHarness.Chiyoda)));
                Assert.Equal(ErrorCodes.IdempotencyKeyReused.Code, other.Error.Code);
            }

            Assert.Equal(700, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(PointsHarness.Chiyoda));
            await LedgerAssert.SummaryIsSumOfEntriesAsync(harness, myKeyId);
        });
    }

    [Fact]
    public async Task A_process_that_started_before_the_migration_ended_finds_moved_claims()
    {
        await WithHarnessAsync(async harness =>
        {
            var myKeyId = PointsHarness.NewMyKeyId();
            var key = PointsHarness.NewKey();
            await harness.GrantAsync(myKeyId, PointsHarness.Chiyoda, 1000);
            await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 100, key);
            await RewriteAsLegacyAsync(harness);
            await using var upgraded = await harness.NewProcessAsync();
            var claims = upgraded.GetRequiredService<IIdempotencyClaims>();
            await claims.ClaimAsync("points.credits", "scope", PointsHarness.NewKey(), new { });

            Assert.True((await upgraded.GetRequiredService<IIdempotencyClaimsMigration>().MigrateAsync(100)).Complete);
            var other = await Assert.ThrowsAsync<ServiceException>(() =>
                upgraded.GetRequiredService<PointsLedgerService>().DebitAsync(myKeyId, new DebitRequest(5, PointsHarness.MerchantId(PointsHarness.Chiyoda)), key, PointsHarness.MerchantClient(PointsHarness.Chiyoda)));

            Assert.Equal(ErrorCodes.IdempotencyKeyReused.Code, other.Error.Code);
            Assert.Equal(900, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(PointsHarness.Chiyoda));
        });
    }

    /// <summary>
    /// A debit under a key's first claim does not read for a stored response; were one there all the same (the
    /// claims table lost, say), the commit's insert of the response row fails and the retry replays it.
    /// </summary>
    [Fact]
    public async Task A_first_claim_over_a_stored_response_still_replays_it_once()
    {
        await WithHarnessAsync(async harness =>
        {
            var myKeyId = PointsHarness.NewMyKeyId();
            var key = PointsHarness.NewKey();
            await harness.GrantAsync(myKeyId, PointsHarness.Chiyoda, 1000);
            var first = await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 100, key);
            var table = ClaimsTable(harness);
            var hash = DebitKeyHash(key);
            await table.DeleteEntityAsync(hash, hash);

            var replay = await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 100, key);

            Assert.Equal(first.Body, replay.Body);
            Assert.Equal(900, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(PointsHarness.Chiyoda));
        });
    }

    private static string DebitKeyHash(string key) =>
        IdempotentRequest.Create("points.debits", PointsHarness.MerchantClient(PointsHarness.Chiyoda).ClientId, key, new { }).KeyHash;

    private static async Task WithHarnessAsync(Func<PointsHarness, Task> test)
    {
        var harness = new PointsHarness();
        await harness.InitializeAsync();
        try
        {
            await test(harness);
        }
        finally
        {
            await harness.DisposeAsync();
        }
    }

    private static TableClient ClaimsTable(PointsHarness harness) => harness.Tables.GetTableClient(harness.TablePrefix + "IdempotencyClaims");

    /// <summary>Every claim of the table as the first layout wrote it (RowKey <c>claim</c>, no layout row).</summary>
    private static async Task RewriteAsLegacyAsync(PointsHarness harness)
    {
        var table = ClaimsTable(harness);
        await table.DeleteEntityAsync("layout", "layout");
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        foreach (var row in rows)
        {
            await table.AddEntityAsync(new TableEntity(row.PartitionKey, "claim") { ["RequestHash"] = row["RequestHash"], ["ClaimedAt"] = row["ClaimedAt"] });
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }
    }

    private static async Task<List<TableEntity>> LegacyClaimsAsync(PointsHarness harness)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in ClaimsTable(harness).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {"claim"}")))
        {
            rows.Add(row);
        }

        return rows;
    }
}
