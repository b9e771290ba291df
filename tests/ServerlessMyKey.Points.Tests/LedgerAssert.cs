using System.Text.Json;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Points;

namespace ServerlessMyKey.Points.Tests;

internal static class LedgerAssert
{
    /// <summary>The stored summary is the sum of the entries, bucket by bucket, and no bucket or lot is negative.</summary>
    public static async Task SummaryIsSumOfEntriesAsync(PointsHarness harness, string myKeyId)
    {
        // A timer run of another test may settle the account meanwhile: compare a state and entries
        // read with no write between them.
        PointsAccount account;
        List<PointsEntryView> entries;
        var attempts = 0;
        do
        {
            account = (await harness.Ledger.ReadAsync(myKeyId)).Account;
            entries = await harness.AllEntriesAsync(myKeyId);
        }
        while ((await harness.Ledger.ReadAsync(myKeyId)).Account.Sequence != account.Sequence && ++attempts < 5);

        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => PointsEntry.IdOf(myKeyId, i)), entries.Select(e => e.EntryId));
        Assert.Equal(entries.Count, account.Sequence);
        Assert.Equal(entries.Sum(e => e.HoldingDelta), account.HoldingBalance);
        Assert.True(account.HoldingBalance >= 0);
        var codes = entries.Where(e => e.MunicipalityCode is not null).Select(e => e.MunicipalityCode!).Concat(account.Lots.Select(l => l.MunicipalityCode)).Distinct();
        foreach (var code in codes)
        {
            Assert.Equal(entries.Where(e => e.MunicipalityCode == code).Sum(e => e.MunicipalityDelta), account.BalanceIn(code));
            Assert.True(account.BalanceIn(code) >= 0);
        }

        Assert.All(account.Lots, l => Assert.True(l.Amount > 0));
        Assert.All(account.Holding, l => Assert.True(l.Amount > 0));
        Assert.All(entries, e => Assert.True(e.Amount > 0));
    }

    public static T Body<T>(StoredResponse response) => JsonSerializer.Deserialize<T>(response.Body, ApiJsonOptions.Options)!;
}
