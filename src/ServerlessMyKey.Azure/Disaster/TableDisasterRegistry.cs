using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Azure.Disaster;

/// <summary>
/// Pairings, residents, TV links and check-ins in one table (docs/disaster.md):
/// <c>p|&lt;code hash&gt;</c> a pairing; <c>tv|&lt;platformId&gt;:&lt;tvId&gt;</c> the TV's link (insert-only; a tombstone
/// after unlinking); <c>k|&lt;MyKey ID&gt;</c> the resident's row and their TVs (<c>t|&lt;platformId&gt;:&lt;tvId&gt;</c>);
/// <c>m|&lt;municipality&gt;</c> the residents (names encrypted), the TV index (<c>t|&lt;platformId&gt;:&lt;tvId&gt;</c>), the
/// check-ins and the data key. A TV is keyed by <see cref="TvKey"/> everywhere. Index rows are written last and removed first;
/// a removed index row stays as a marker (<c>Removed</c>, skipped by every read), so that it always has an ETag: the holder of
/// the TV writes each of its index rows only under the ETag its hold read (a row absent then only by insert), and a request
/// that stalled past its hold can neither overwrite, delete nor bring back a row a later holder wrote or removed.
/// </summary>
/// <param name="minimumScan">Rows a range lookup of a platform's TVs reads at least before it reads the rest one by one.</param>
internal sealed class TableDisasterRegistry(LazyTable table, TimeProvider time, int minimumScan = 1000) : IDisasterRegistry
{
    private const string Row = "row";
    private const string TvIndexPrefix = "t|";
    private const string ClaimUntil = "ClaimUntil";
    private const string Leaving = "Leaving";
    private const string Removed = "Removed";
    private const string ResidentRow = "resident";

    /// <summary>How long an unfinished claim holds its TV (a claim takes well under a second).</summary>
    private static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(1);

    public async Task<bool> TryAddPairingAsync(TvPairing pairing, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity("p|" + pairing.CodeHash, Row) { ["TvId"] = pairing.TvId, ["PlatformId"] = pairing.PlatformId, ["ExpiresAt"] = pairing.ExpiresAt };
        return await TableTransactions.TrySubmitAsync(await table.GetAsync(cancellationToken), [new(TableTransactionActionType.Add, entity)], cancellationToken);
    }

    public async Task<TvPairing?> FindPairingAsync(string codeHash, CancellationToken cancellationToken = default)
    {
        var row = await FindAsync("p|" + codeHash, Row, cancellationToken);
        return row is null ? null : new TvPairing(codeHash, row.GetString("TvId"), row.GetString("PlatformId"), row.GetDateTimeOffset("ExpiresAt") ?? default, row.GetString("ClaimedBy"), row.ETag.ToString());
    }

    public async Task<bool> TryClaimPairingAsync(TvPairing pairing, string myKeyId, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity("p|" + pairing.CodeHash, Row) { ["TvId"] = pairing.TvId, ["PlatformId"] = pairing.PlatformId, ["ExpiresAt"] = pairing.ExpiresAt, ["ClaimedBy"] = myKeyId };
        return await TableTransactions.TrySubmitAsync(await table.GetAsync(cancellationToken), [new(TableTransactionActionType.UpdateReplace, entity, new ETag(pairing.ETag!))], cancellationToken);
    }

    public async Task<Resident?> FindResidentByMyKeyIdAsync(string myKeyId, CancellationToken cancellationToken = default)
    {
        var index = await FindAsync("k|" + myKeyId, ResidentRow, cancellationToken);
        if (index is null)
        {
            return null;
        }

        var row = await FindAsync("m|" + index.GetString("MunicipalityCode"), "r|" + index.GetString("ResidentId"), cancellationToken);
        return row is null ? null : ReadResident(row);
    }

    public async Task<IReadOnlyList<Resident>> ListResidentsAsync(string municipalityCode, CancellationToken cancellationToken = default) =>
        [.. (await RangeAsync("m|" + municipalityCode, "r|", cancellationToken)).Select(ReadResident)];

    public async Task<bool> SaveResidentAsync(Resident resident, TvClaim hold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hold);
        var client = await table.GetAsync(cancellationToken);
        var previous = await FindAsync("k|" + resident.MyKeyId, ResidentRow, cancellationToken);
        var entity = new TableEntity("m|" + resident.MunicipalityCode, "r|" + resident.ResidentId)
        {
            ["MyKeyId"] = resident.MyKeyId,
            ["DistrictCode"] = resident.DistrictCode,
            ["NeedsAssistance"] = resident.NeedsAssistance,
            ["Watching"] = resident.Watching,
            ["Names"] = resident.ProtectedNames,
            ["RegisteredAt"] = resident.RegisteredAt,
        };
        TableLimits.EnsureEntity(entity);
        // The MyKey ID row as the hold's index rows are written: a claim that stalled past its hold writes no resident over
        // a later holder's (a resident who moved since would be written back into the municipality they left).
        if (!await TryWriteHeldRowAsync(hold, new TableEntity("k|" + resident.MyKeyId, ResidentRow) { ["ResidentId"] = resident.ResidentId, ["MunicipalityCode"] = resident.MunicipalityCode }, cancellationToken))
        {
            return false;
        }

        await client.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        if (previous is not null && previous.GetString("MunicipalityCode") is { } old && old != resident.MunicipalityCode)
        {
            await client.DeleteEntityAsync("m|" + old, "r|" + (previous.GetString("ResidentId") ?? resident.ResidentId), ETag.All, cancellationToken);
        }

        return true;
    }

    public async Task<TvLink?> FindTvAsync(TvKey tv, CancellationToken cancellationToken = default)
    {
        var row = await FindAsync(TvPartition(tv), Row, cancellationToken);
        return row is null || row.GetBoolean("Unlinked") == true ? null : ReadTv(row, tv);
    }

    public async Task<IReadOnlyList<TvLink>> FindTvsOfPlatformAsync(string platformId, IReadOnlyCollection<TvKey> tvs, CancellationToken cancellationToken = default)
    {
        var wanted = tvs.Where(t => t.PlatformId == platformId).Select(TvPartition).ToList();
        if (wanted.Count == 0)
        {
            return [];
        }

        // The range between the lowest and highest wanted TV may hold many other TVs of a nationwide platform: the scan
        // stops after a few rows per wanted TV, and the wanted TVs beyond where it stopped are read one by one.
        var client = await table.GetAsync(cancellationToken);
        var rows = await BoundedRangeLookup.FindAsync(
            wanted,
            (first, last) => client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey le {last} and RowKey eq {Row}"), maxPerPage: 1000, cancellationToken: cancellationToken),
            row => row.PartitionKey,
            (partition, ct) => FindAsync(partition, Row, ct),
            pointReadsUpTo: 0,
            minimumScan,
            cancellationToken);
        return [.. rows.Where(row => row.GetBoolean("Unlinked") != true).Select(row => ReadTv(row, TvKey.Parse(row.PartitionKey[3..])))];
    }

    public async Task<TvClaim?> TryBeginTvClaimAsync(TvLink link, CancellationToken cancellationToken = default)
    {
        var existing = await FindAsync(TvPartition(link.Key), Row, cancellationToken);
        var unlinked = existing?.GetBoolean("Unlinked") == true;
        if (existing is not null && ((!unlinked && existing.GetString("MyKeyId") != link.MyKeyId) || IsHeld(existing)))
        {
            return null;
        }

        // A tombstone gives the new link its CountFrom (the unlink time). The TV leaves the municipality it was in, and
        // any that a claim which stopped half-way may have put it in.
        link = unlinked ? link with { CountFrom = existing!.GetDateTimeOffset("UnlinkedAt") } : link;
        var left = (unlinked || existing is null ? [] : Split(existing.GetString(Leaving)).Append(existing.GetString("MunicipalityCode")))
            .Where(m => m != link.MunicipalityCode).Distinct(StringComparer.Ordinal).ToList();
        return await TryHoldRowAsync(existing, link, left, cancellationToken);
    }

    public async Task<TvHold> TryHoldTvAsync(TvKey tv, string myKeyId, CancellationToken cancellationToken = default)
    {
        var existing = await FindAsync(TvPartition(tv), Row, cancellationToken);
        if (existing is null || existing.GetBoolean("Unlinked") == true || existing.GetString("MyKeyId") != myKeyId)
        {
            return new TvHold(null, Busy: false);
        }

        if (IsHeld(existing))
        {
            return new TvHold(null, Busy: true);
        }

        // The link as it stands, held; municipalities a claim that stopped half-way was moving it from are left too.
        var link = ReadTv(existing, tv);
        var left = Split(existing.GetString(Leaving)).Where(m => m != link.MunicipalityCode).Distinct(StringComparer.Ordinal).ToList();
        var claim = await TryHoldRowAsync(existing, link, left, cancellationToken);
        return new TvHold(claim, Busy: claim is null);
    }

    /// <summary>Writes the TV's row for <paramref name="link"/>, marked held, under the ETag it was read with (inserted when it was not there).</summary>
    private async Task<TvClaim?> TryHoldRowAsync(TableEntity? existing, TvLink link, List<string> left, CancellationToken cancellationToken)
    {
        var client = await table.GetAsync(cancellationToken);
        var row = TvRow(link);
        row[ClaimUntil] = time.GetUtcNow() + ClaimLease;
        row[Leaving] = string.Join(',', left);
        TableLimits.EnsureEntity(row);
        try
        {
            var response = existing is null
                ? await client.AddEntityAsync(row, cancellationToken)
                : await client.UpdateEntityAsync(row, existing.ETag, TableUpdateMode.Replace, cancellationToken);
            var claim = new TvClaim(link, left, response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("Table Storage answered without an ETag."));
            return claim with { IndexRows = await ReadIndexRowsAsync(claim, cancellationToken) };
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    /// <summary>
    /// The rows a claim or unlink of the TV writes, read once it holds the TV: its index rows and the resident's MyKey ID row,
    /// <see cref="HeldKey"/> → ETag (<c>null</c>: not there).
    /// </summary>
    private async Task<Dictionary<string, string?>> ReadIndexRowsAsync(TvClaim claim, CancellationToken cancellationToken)
    {
        var keys = claim.LeftMunicipalities.Append(claim.Link.MunicipalityCode).Select(m => "m|" + m).Append("k|" + claim.Link.MyKeyId).Distinct(StringComparer.Ordinal)
            .Select(p => (Partition: p, Row: TvIndexRow(claim.Link.Key))).Append((Partition: "k|" + claim.Link.MyKeyId, Row: ResidentRow)).ToList();
        var rows = await Task.WhenAll(keys.Select(k => FindAsync(k.Partition, k.Row, cancellationToken)));
        return keys.Zip(rows).ToDictionary(k => HeldKey(k.First.Partition, k.First.Row), k => k.Second?.ETag.ToString(), StringComparer.Ordinal);
    }

    /// <summary>A row's key in <see cref="TvClaim.IndexRows"/> (<c>/</c> is in no table key).</summary>
    private static string HeldKey(string partitionKey, string rowKey) => partitionKey + "/" + rowKey;

    private bool IsHeld(TableEntity row) => row.GetDateTimeOffset(ClaimUntil) > time.GetUtcNow();

    public async Task<TvClaim?> TryUpdateTvClaimAsync(TvClaim claim, TvLink link, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var row = TvRow(link);
        row[ClaimUntil] = time.GetUtcNow() + ClaimLease;
        row[Leaving] = string.Join(',', claim.LeftMunicipalities);
        try
        {
            var response = await (await table.GetAsync(cancellationToken)).UpdateEntityAsync(row, new ETag(claim.ETag), TableUpdateMode.Replace, cancellationToken);
            return claim with { Link = link, ETag = response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("Table Storage answered without an ETag.") };
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    public async Task<bool> CompleteTvClaimAsync(TvClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        foreach (var municipality in claim.LeftMunicipalities)
        {
            if (!await TryWriteIndexRowAsync(claim, "m|" + municipality, null, cancellationToken))
            {
                return false;
            }
        }

        // The resident's index row, then the municipality's (last: the fan-out and the tables read it).
        if (!await TryWriteIndexRowAsync(claim, "k|" + claim.Link.MyKeyId, claim.Link, cancellationToken)
            || !await TryWriteIndexRowAsync(claim, "m|" + claim.Link.MunicipalityCode, claim.Link, cancellationToken))
        {
            return false;
        }

        try
        {
            await (await table.GetAsync(cancellationToken)).UpdateEntityAsync(TvRow(claim.Link), new ETag(claim.ETag), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // The lease ran out and a later claim took the TV: its row is the later claim's now.
            return false;
        }
    }

    public async Task<bool> CompleteTvUnlinkAsync(TvClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        foreach (var partition in claim.LeftMunicipalities.Append(claim.Link.MunicipalityCode).Distinct(StringComparer.Ordinal).Select(m => "m|" + m).Append("k|" + claim.Link.MyKeyId))
        {
            if (!await TryWriteIndexRowAsync(claim, partition, null, cancellationToken))
            {
                return false;
            }
        }

        try
        {
            await (await table.GetAsync(cancellationToken)).UpdateEntityAsync(new TableEntity(TvPartition(claim.Link.Key), Row) { ["Unlinked"] = true, ["UnlinkedAt"] = time.GetUtcNow() },
                new ETag(claim.ETag), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // The hold ran out and a later claim of the resident took the TV: its row is that claim's now.
            return false;
        }
    }

    /// <summary>
    /// Writes the TV's index row in <paramref name="partition"/> — the link, or the removed marker for <c>null</c> — under the
    /// ETag the hold read (inserted when there was none). A row changed since was written by a request whose hold ran out
    /// (written late: this holder writes over it, under the ETag it reads now) or by a later holder (this hold is lost:
    /// <c>false</c>, nothing written); the TV's own row tells which.
    /// </summary>
    private Task<bool> TryWriteIndexRowAsync(TvClaim claim, string partition, TvLink? link, CancellationToken cancellationToken)
    {
        var rowKey = TvIndexRow(claim.Link.Key);
        return TryWriteHeldRowAsync(claim, link is null ? new TableEntity(partition, rowKey) { [Removed] = true, ["PlatformId"] = claim.Link.PlatformId } : TvRow(link, partition, rowKey), cancellationToken);
    }

    /// <summary>Writes <paramref name="row"/> under the ETag the hold read, as <see cref="TryWriteIndexRowAsync"/> says.</summary>
    private async Task<bool> TryWriteHeldRowAsync(TvClaim claim, TableEntity row, CancellationToken cancellationToken)
    {
        var client = await table.GetAsync(cancellationToken);
        var (partition, rowKey) = (row.PartitionKey, row.RowKey);
        var etag = claim.IndexRows is { } read && read.TryGetValue(HeldKey(partition, rowKey), out var known) ? known : (await FindAsync(partition, rowKey, cancellationToken))?.ETag.ToString();
        for (var attempt = 0; attempt < OptimisticRetry.MaxAttempts; attempt++)
        {
            try
            {
                _ = etag is null
                    ? await client.AddEntityAsync(row, cancellationToken)
                    : await client.UpdateEntityAsync(row, new ETag(etag), TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                if ((await FindAsync(TvPartition(claim.Link.Key), Row, cancellationToken))?.ETag.ToString() != claim.ETag)
                {
                    return false;
                }

                etag = (await FindAsync(partition, rowKey, cancellationToken))?.ETag.ToString();
            }
        }

        throw new RequestFailedException(412, "A row the TV's hold writes kept changing while the hold lasted.");
    }

    public async Task<IReadOnlyList<TvLink>> ListTvsOfResidentAsync(string myKeyId, CancellationToken cancellationToken = default) =>
        [.. (await RangeAsync("k|" + myKeyId, TvIndexPrefix, cancellationToken)).Where(IsIndexed).Select(ReadIndexRow)];

    public async Task<IReadOnlyList<TvLink>> ListTvsAsync(string municipalityCode, CancellationToken cancellationToken = default) =>
        [.. (await RangeAsync("m|" + municipalityCode, TvIndexPrefix, cancellationToken)).Where(IsIndexed).Select(ReadIndexRow)];

    public async Task<IReadOnlyList<TvLink>> FindTvsAsync(string municipalityCode, IReadOnlyCollection<TvKey> tvs, CancellationToken cancellationToken = default)
    {
        var wanted = tvs.Select(TvIndexRow).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return [];
        }

        // The index rows of a batch's TVs lie between its first and last TV key: one range query.
        var client = await table.GetAsync(cancellationToken);
        var (first, last) = (wanted.Min(StringComparer.Ordinal), wanted.Max(StringComparer.Ordinal));
        var links = new List<TvLink>(wanted.Count);
        await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"m|" + municipalityCode} and RowKey ge {first} and RowKey le {last}"), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (wanted.Contains(row.RowKey) && IsIndexed(row))
            {
                links.Add(ReadIndexRow(row));
            }
        }

        return links;
    }

    public async Task<ShelterCheckin?> FindCheckinAsync(string municipalityCode, string residentId, CancellationToken cancellationToken = default)
    {
        var row = await FindAsync("m|" + municipalityCode, "c|" + residentId, cancellationToken);
        return row is null ? null : ReadCheckin(row);
    }

    public async Task<bool> TryWriteCheckinAsync(ShelterCheckin checkin, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity("m|" + checkin.MunicipalityCode, "c|" + checkin.ResidentId)
        {
            ["ShelterId"] = checkin.ShelterId,
            ["FirstAt"] = checkin.FirstAt,
            ["LatestAt"] = checkin.LatestAt,
        };
        var action = checkin.ETag is null
            ? new TableTransactionAction(TableTransactionActionType.Add, entity)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(checkin.ETag));
        return await TableTransactions.TrySubmitAsync(await table.GetAsync(cancellationToken), [action], cancellationToken);
    }

    public async Task<IReadOnlyList<ShelterCheckin>> ListCheckinsAsync(string municipalityCode, CancellationToken cancellationToken = default) =>
        [.. (await RangeAsync("m|" + municipalityCode, "c|", cancellationToken)).Select(ReadCheckin)];

    public async Task<byte[]?> FindDataKeyAsync(string municipalityCode, CancellationToken cancellationToken = default) =>
        (await FindAsync("m|" + municipalityCode, "datakey", cancellationToken))?.GetBinary("Envelope");

    public async Task<bool> TryAddDataKeyAsync(string municipalityCode, byte[] wrappedKey, CancellationToken cancellationToken = default) =>
        await TableTransactions.TrySubmitAsync(await table.GetAsync(cancellationToken),
            [new(TableTransactionActionType.Add, new TableEntity("m|" + municipalityCode, "datakey") { ["Envelope"] = wrappedKey })], cancellationToken);

    private async Task<TableEntity?> FindAsync(string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        await TableRows.FindAsync(await table.GetAsync(cancellationToken), partitionKey, rowKey, cancellationToken);

    private async Task<List<TableEntity>> RangeAsync(string partitionKey, string prefix, CancellationToken cancellationToken)
    {
        var client = await table.GetAsync(cancellationToken);
        var end = prefix[..^1] + (char)(prefix[^1] + 1);
        var rows = new List<TableEntity>();
        await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {prefix} and RowKey lt {end}"), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static TableEntity TvRow(TvLink link, string? partitionKey = null, string? rowKey = null)
    {
        var entity = new TableEntity(partitionKey ?? TvPartition(link.Key), rowKey ?? Row)
        {
            ["PlatformId"] = link.PlatformId,
            ["ResidentId"] = link.ResidentId,
            ["MyKeyId"] = link.MyKeyId,
            ["MunicipalityCode"] = link.MunicipalityCode,
            ["DistrictCode"] = link.DistrictCode,
            ["LinkedAt"] = link.LinkedAt,
        };
        if (link.CountFrom is { } from)
        {
            entity["CountFrom"] = from;
        }

        if (link.MovedInAt is { } moved)
        {
            entity["MovedInAt"] = moved;
        }

        return entity;
    }

    /// <summary>An index row that names a link (not the marker of a removed one).</summary>
    private static bool IsIndexed(TableEntity row) => row.GetBoolean(Removed) != true;

    private static TvLink ReadIndexRow(TableEntity row) => ReadTv(row, TvKey.Parse(row.RowKey[TvIndexPrefix.Length..]));

    private static string TvPartition(TvKey tv) => "tv|" + tv;

    private static string TvIndexRow(TvKey tv) => TvIndexPrefix + tv;

    private static TvLink ReadTv(TableEntity row, TvKey tv) =>
        new(tv.TvId, tv.PlatformId, row.GetString("ResidentId"), row.GetString("MyKeyId"), row.GetString("MunicipalityCode"), row.GetString("DistrictCode"),
            row.GetDateTimeOffset("LinkedAt") ?? default, row.GetDateTimeOffset("CountFrom"), row.GetDateTimeOffset("MovedInAt"));

    private static IEnumerable<string> Split(string? value) => (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static Resident ReadResident(TableEntity row) =>
        new(row.RowKey[2..], row.GetString("MyKeyId"), row.PartitionKey[2..], row.GetString("DistrictCode"), row.GetBoolean("NeedsAssistance") ?? false,
            row.GetBoolean("Watching") ?? false, row.GetBinary("Names"), row.GetDateTimeOffset("RegisteredAt") ?? default);

    private static ShelterCheckin ReadCheckin(TableEntity row) =>
        new(row.PartitionKey[2..], row.RowKey[2..], row.GetString("ShelterId"), row.GetDateTimeOffset("FirstAt") ?? default, row.GetDateTimeOffset("LatestAt") ?? default, row.ETag.ToString());
}
