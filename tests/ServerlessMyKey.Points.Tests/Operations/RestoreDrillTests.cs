using Azure.Data.Tables;
using ServerlessMyKey.Core.Points;

namespace ServerlessMyKey.Points.Tests.Operations;

/// <summary>
/// The restore drill of docs/operations.md on Azurite: ledgers with grants, conversions, debits and
/// idempotency rows are exported, the tables are deleted, the export is restored, and every account
/// reads as before (balances equal the sum of entries, entry by entry), replays still answer the
/// first response, and every entity is back property for property.
/// </summary>
public sealed class RestoreDrillTests(PointsHarness harness) : IClassFixture<PointsHarness>
{
    [Fact]
    public async Task Export_wipe_restore_gives_the_same_ledgers()
    {
        var accounts = new List<string>();
        var replayKey = PointsHarness.NewKey();
        for (var i = 0; i < 5; i++)
        {
            var myKeyId = PointsHarness.NewMyKeyId();
            accounts.Add(myKeyId);
            await harness.GrantAsync(myKeyId, PointsHarness.Chiyoda, 1000 + i);
            await harness.ConvertAsync(myKeyId, 50);
            await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 300, i == 0 ? replayKey : null);
        }

        var firstDebit = await harness.DebitAsync(accounts[0], PointsHarness.Chiyoda, 300, replayKey);
        var before = await SnapshotAsync();
        var statements = new Dictionary<string, PointsStatement>();
        foreach (var account in accounts)
        {
            statements[account] = await harness.Points.GetStatementAsync(account, null, PointsLedgerService.MaxStatementLimit);
        }

        var export = await harness.Backup.ExportAsync();
        Assert.Equal(before.Keys.Order(), export.EntitiesByTable.Keys.Order());
        Assert.Equal(before.Values.Sum(t => t.Count), export.EntitiesByTable.Values.Sum());

        foreach (var table in before.Keys)
        {
            await harness.Tables.DeleteTableAsync(table);
        }

        Assert.Empty(await SnapshotAsync());
        var restored = await harness.Backup.RestoreAsync(export.BackupId);

        Assert.Equal(export.EntitiesByTable, restored.EntitiesByTable);
        Assert.Equal(before, await SnapshotAsync(), new SnapshotComparer());
        foreach (var account in accounts)
        {
            await LedgerAssert.SummaryIsSumOfEntriesAsync(harness, account);
            var statement = await harness.Points.GetStatementAsync(account, null, PointsLedgerService.MaxStatementLimit);
            Assert.Equal(statements[account].Entries.Select(e => (e.EntryId, e.Amount)), statement.Entries.Select(e => (e.EntryId, e.Amount)));
        }

        var replay = await harness.DebitAsync(accounts[0], PointsHarness.Chiyoda, 300, replayKey);
        Assert.Equal(firstDebit.Body, replay.Body);
    }

    [Fact]
    public async Task Restore_over_a_ledger_changed_since_the_export_is_refused_and_writes_nothing()
    {
        var myKeyId = PointsHarness.NewMyKeyId();
        await harness.GrantAsync(myKeyId, PointsHarness.Chiyoda, 1000);
        var export = await harness.Backup.ExportAsync();
        await harness.DebitAsync(myKeyId, PointsHarness.Chiyoda, 300);
        var after = await harness.Points.GetStatementAsync(myKeyId, null, PointsLedgerService.MaxStatementLimit);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Backup.RestoreAsync(export.BackupId));

        Assert.StartsWith("Restore refused: table(s) ", refused.Message, StringComparison.Ordinal);
        Assert.Contains(harness.TablePrefix + "PointsLedger", refused.Message, StringComparison.Ordinal);
        var now = await harness.Points.GetStatementAsync(myKeyId, null, PointsLedgerService.MaxStatementLimit);
        Assert.Equal(after.Entries.Select(e => (e.EntryId, e.Amount)), now.Entries.Select(e => (e.EntryId, e.Amount)));
        await LedgerAssert.SummaryIsSumOfEntriesAsync(harness, myKeyId);
    }

    /// <summary>Every entity of the harness's tables: table → (partition, row) → properties as text with their types.</summary>
    private async Task<Dictionary<string, Dictionary<(string, string), string>>> SnapshotAsync()
    {
        var snapshot = new Dictionary<string, Dictionary<(string, string), string>>(StringComparer.Ordinal);
        await foreach (var table in harness.Tables.QueryAsync())
        {
            if (!table.Name.StartsWith(harness.TablePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rows = new Dictionary<(string, string), string>();
            await foreach (var entity in harness.Tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                rows[(entity.PartitionKey, entity.RowKey)] = string.Join(
                    ";",
                    entity.Where(p => p.Key is not ("Timestamp" or "odata.etag")).OrderBy(p => p.Key, StringComparer.Ordinal)
                        .Select(p => $"{p.Key}:{p.Value?.GetType().Name}={Format(p.Value)}"));
            }

            snapshot[table.Name] = rows;
        }

        return snapshot;
    }

    private static string? Format(object? value) => value switch
    {
        byte[] bytes => Convert.ToBase64String(bytes),
        BinaryData data => Convert.ToBase64String(data.ToArray()),
        DateTimeOffset t => t.UtcDateTime.ToString("O"),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private sealed class SnapshotComparer : IEqualityComparer<Dictionary<string, Dictionary<(string, string), string>>>
    {
        public bool Equals(Dictionary<string, Dictionary<(string, string), string>>? x, Dictionary<string, Dictionary<(string, string), string>>? y) =>
            x!.Count == y!.Count && x.All(t => y.TryGetValue(t.Key, out var rows) && rows.Count == t.Value.Count && t.Value.All(r => rows.TryGetValue(r.Key, out var v) && v == r.Value));

        public int GetHashCode(Dictionary<string, Dictionary<(string, string), string>> obj) => obj.Count;
    }
}
