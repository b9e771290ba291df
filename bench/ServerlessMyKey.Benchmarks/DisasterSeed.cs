using System.Globalization;
using Azure.Data.Tables;
using ServerlessMyKey.Core.Disaster;

namespace ServerlessMyKey.Benchmarks;

/// <summary>
/// Residents and their TVs written straight into the registry's rows for the disaster benchmarks (as pairing
/// would leave them, names encrypted as in production): the municipality's partition in 100-row transactions,
/// each TV's and card's own partition one request each, 32 at a time. Pairing 10,000 TVs through the service
/// would take far longer than what is measured.
/// </summary>
internal static class DisasterSeed
{
    public const string Municipality = "363880";
    public const string Platform = "bench-tv";

    public static string TvId(int i) => "tv-" + i.ToString("D5", CultureInfo.InvariantCulture);

    public static async Task WriteAsync(TableClient registry, ResidentNames names, int count)
    {
        await registry.CreateIfNotExistsAsync();
        var linkedAt = DateTimeOffset.UtcNow.AddDays(-1);
        var municipalityRows = new List<TableEntity>(2 * count);
        var cards = new List<(TableEntity Resident, TableEntity Tv)>(count);
        var own = new List<TableEntity>(count);
        for (var i = 0; i < count; i++)
        {
            var (tvId, residentId, myKeyId, district) = (TvId(i), "r-" + i.ToString("x16", CultureInfo.InvariantCulture), "K" + i.ToString("D7", CultureInfo.InvariantCulture), "d" + (i % 20));
            municipalityRows.Add(new TableEntity("m|" + Municipality, "r|" + residentId)
            {
                ["MyKeyId"] = myKeyId,
                ["DistrictCode"] = district,
                ["NeedsAssistance"] = false,
                ["Watching"] = false,
                ["Names"] = await names.ProtectAsync(Municipality, residentId, new ResidentName($"住民{i}", $"ジュウミン{i}")),
                ["RegisteredAt"] = linkedAt,
            });
            TableEntity Link(string partition, string row) => new(partition, row)
            {
                ["PlatformId"] = Platform,
                ["ResidentId"] = residentId,
                ["MyKeyId"] = myKeyId,
                ["MunicipalityCode"] = Municipality,
                ["DistrictCode"] = district,
                ["LinkedAt"] = linkedAt,
            };
            // The registry's rows as TableDisasterRegistry writes them (a TV keyed by TvKey).
            var tv = new TvKey(Platform, tvId);
            municipalityRows.Add(Link("m|" + Municipality, "t|" + tv));
            own.Add(Link("tv|" + tv, "row"));
            cards.Add((new TableEntity("k|" + myKeyId, "resident") { ["ResidentId"] = residentId, ["MunicipalityCode"] = Municipality }, Link("k|" + myKeyId, "t|" + tv)));
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 32 };
        await Parallel.ForEachAsync(municipalityRows.Chunk(100), parallel, async (batch, ct) =>
            await registry.SubmitTransactionAsync([.. batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e))], ct));
        await Parallel.ForEachAsync(cards, parallel, async (card, ct) =>
            await registry.SubmitTransactionAsync([new(TableTransactionActionType.Add, card.Resident), new(TableTransactionActionType.Add, card.Tv)], ct));
        await Parallel.ForEachAsync(own, parallel, async (row, ct) => await registry.AddEntityAsync(row, ct));
    }
}
