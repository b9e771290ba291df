namespace ServerlessMyKey.Core.Disaster;

/// <summary>Pairings, residents, TV links, shelter check-ins and the municipalities' data keys.</summary>
public interface IDisasterRegistry
{
    Task<bool> TryAddPairingAsync(TvPairing pairing, CancellationToken cancellationToken = default);

    Task<TvPairing?> FindPairingAsync(string codeHash, CancellationToken cancellationToken = default);

    /// <summary>Marks the pairing claimed by <paramref name="myKeyId"/>; <c>false</c> when it changed since it was read.</summary>
    Task<bool> TryClaimPairingAsync(TvPairing pairing, string myKeyId, CancellationToken cancellationToken = default);

    Task<Resident?> FindResidentByMyKeyIdAsync(string myKeyId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Resident>> ListResidentsAsync(string municipalityCode, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the resident (its MyKey ID row first, the municipality's row last) for the claim holding <paramref name="hold"/>:
    /// the MyKey ID row as <see cref="CompleteTvClaimAsync"/> writes index rows, so <c>false</c>, having written nothing,
    /// when the hold was lost (a claim that stalled past it writes no resident over a later holder's).
    /// </summary>
    Task<bool> SaveResidentAsync(Resident resident, TvClaim hold, CancellationToken cancellationToken = default);

    Task<TvLink?> FindTvAsync(TvKey tv, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a claim of the TV for <paramref name="link"/>: the TV's own row is written first and is the lock —
    /// inserted for a TV never linked, or replaced under the ETag it was read with when it is a tombstone (the unlink
    /// time becomes the link's <c>CountFrom</c>) or a link of the same resident (a move, a new district, a retry) —
    /// and names the claim until <see cref="CompleteTvClaimAsync"/> (for at most a minute: a claim that stopped
    /// half-way holds the TV no longer). <c>null</c>, having written nothing, when the TV is linked to another
    /// resident or another claim holds it or wrote it first.
    /// </summary>
    Task<TvClaim?> TryBeginTvClaimAsync(TvLink link, CancellationToken cancellationToken = default);

    /// <summary>
    /// The links (not tombstones) of the platform's TVs among <paramref name="tvs"/>: one range query over the TVs'
    /// own rows between the first and the last of them.
    /// </summary>
    Task<IReadOnlyList<TvLink>> FindTvsOfPlatformAsync(string platformId, IReadOnlyCollection<TvKey> tvs, CancellationToken cancellationToken = default);

    /// <summary>Rewrites the link of a claim in progress (still held); <c>null</c> when its hold ran out and another claim took the TV.</summary>
    Task<TvClaim?> TryUpdateTvClaimAsync(TvClaim claim, TvLink link, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a claim: the TV leaves the municipalities it was in (and any a claim that stopped half-way may have put it
    /// in), joins the resident's and the municipality's index (last), and its row is released. Each index row is written
    /// only while it is what the hold read (or, changed since, while the TV's row is still this hold's: a request whose
    /// hold ran out wrote it late). <c>false</c> when the hold was lost — another request holds or held the TV since —
    /// having stopped at the first row that request changed (retry).
    /// </summary>
    Task<bool> CompleteTvClaimAsync(TvClaim claim, CancellationToken cancellationToken = default);

    /// <summary>
    /// Holds the TV's row for a change by its resident (an unlink, a district following a claim) as a claim does: under
    /// the ETag it was read with, marked for at most a minute, the link unchanged. <see cref="TvHold.Busy"/> when another
    /// claim or unlink holds it (or wrote it since it was read); neither held nor busy when it is not linked to
    /// <paramref name="myKeyId"/>. Release it with <see cref="CompleteTvClaimAsync"/> (the link, changed or not) or
    /// <see cref="CompleteTvUnlinkAsync"/>.
    /// </summary>
    Task<TvHold> TryHoldTvAsync(TvKey tv, string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends an unlink the TV's row is held for: the index rows first (fan-out and tables stop seeing it), then the row
    /// becomes a tombstone with the time, under the hold's ETag; the index rows as <see cref="CompleteTvClaimAsync"/>
    /// writes them, and <c>false</c> as there when the hold was lost.
    /// </summary>
    Task<bool> CompleteTvUnlinkAsync(TvClaim claim, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TvLink>> ListTvsOfResidentAsync(string myKeyId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TvLink>> ListTvsAsync(string municipalityCode, CancellationToken cancellationToken = default);

    /// <summary>The links of these TVs in the municipality's registry (one range query; TVs not there are left out).</summary>
    Task<IReadOnlyList<TvLink>> FindTvsAsync(string municipalityCode, IReadOnlyCollection<TvKey> tvs, CancellationToken cancellationToken = default);

    Task<ShelterCheckin?> FindCheckinAsync(string municipalityCode, string residentId, CancellationToken cancellationToken = default);

    /// <summary>Inserts (no ETag) or replaces (ETag) the check-in; <c>false</c> when it lost a race.</summary>
    Task<bool> TryWriteCheckinAsync(ShelterCheckin checkin, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ShelterCheckin>> ListCheckinsAsync(string municipalityCode, CancellationToken cancellationToken = default);

    Task<byte[]?> FindDataKeyAsync(string municipalityCode, CancellationToken cancellationToken = default);

    /// <summary>Inserts the wrapped data key; <c>false</c> when another writer stored one first.</summary>
    Task<bool> TryAddDataKeyAsync(string municipalityCode, byte[] wrappedKey, CancellationToken cancellationToken = default);
}

/// <summary>Alerts and their per-TV deliveries (one partition per alert).</summary>
public interface IAlertStore
{
    Task<Idempotency.StoredResponse?> FindSubmissionResponseAsync(string alertId, string idempotencyKeyHash, CancellationToken cancellationToken = default);

    /// <summary>Inserts the alert (and the response under its key) in one transaction; <c>false</c> when the id is taken.</summary>
    Task<bool> TryAddAlertAsync(DisasterAlert alert, Idempotency.IdempotentWrite? response, CancellationToken cancellationToken = default);

    Task<DisasterAlert?> FindAlertAsync(string alertId, CancellationToken cancellationToken = default);

    /// <summary>The alert stored for a CAP <c>sender,identifier,sent</c>, if any.</summary>
    Task<string?> FindAlertIdByCapAsync(string sender, string identifier, DateTimeOffset sent, CancellationToken cancellationToken = default);

    /// <summary>Indexes the alert by its CAP triple; <c>false</c> when another alert has it.</summary>
    Task<bool> TryIndexCapAsync(DisasterAlert alert, CancellationToken cancellationToken = default);

    /// <summary>Changes the alert's state, target count and/or replacement (a <c>null</c> leaves that value as it is).</summary>
    Task SetAlertStateAsync(string alertId, string? state, int? targets = null, string? replacedBy = null, CancellationToken cancellationToken = default);

    /// <summary>Inserts deliveries that do not exist yet (a re-run plan keeps the existing ones as they are).</summary>
    Task AddDeliveriesAsync(string alertId, IReadOnlyList<AlertDelivery> deliveries, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AlertDelivery>> ListDeliveriesAsync(string alertId, CancellationToken cancellationToken = default);

    /// <summary>The deliveries of these TVs (a batch: one range query of the alert's partition, not a read per TV).</summary>
    Task<IReadOnlyList<AlertDelivery>> FindDeliveriesAsync(string alertId, IReadOnlyCollection<TvKey> tvs, CancellationToken cancellationToken = default);

    /// <summary>Replaces the delivery if its ETag still matches: the delivery with its new ETag, or <c>null</c>.</summary>
    Task<AlertDelivery?> TryUpdateDeliveryAsync(AlertDelivery delivery, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the deliveries (one alert) whose ETags still match, in entity-group transactions of up to 100 rows;
    /// when a transaction conflicts, its rows are tried one by one. Returns those written, with their new ETags.
    /// </summary>
    Task<IReadOnlyList<AlertDelivery>> TryUpdateDeliveriesAsync(IReadOnlyList<AlertDelivery> deliveries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the TVs showed the alerts (the earliest time kept); nothing for a TV without a delivery of that alert.
    /// A request's displays at once: per alert one bounded lookup of the TVs' deliveries and transactions of the changes.
    /// </summary>
    Task MarkDisplayedAsync(IReadOnlyCollection<AlertDisplay> displays, CancellationToken cancellationToken = default);
}

/// <summary>The fan-out's work queue.</summary>
public interface IAlertWorkQueue
{
    Task EnqueueAsync(AlertWorkItem item, TimeSpan delay = default, CancellationToken cancellationToken = default);
}

/// <summary>TV operation logs: one partition per TV (<see cref="TvKey"/>), written in entity-group batches.</summary>
public interface IOperationLogStore
{
    /// <summary>
    /// Appends the events; duplicates of stored event ids are counted, not written again. <c>Stored</c>: the events
    /// now in the log as posted (the new ones, and duplicates whose stored type, time and alert id are the posted ones: a
    /// retry after a failure between the log and the days' summary completes the summary).
    /// </summary>
    Task<(int Accepted, int Duplicates, IReadOnlyList<TvEvent> Stored)> AppendAsync(IReadOnlyList<TvEvent> events, CancellationToken cancellationToken = default);

    /// <summary>The latest power event of the TV at or before <paramref name="at"/>, not before <paramref name="notBefore"/>.</summary>
    Task<TvPowerEvent?> LastPowerEventAsync(TvKey tv, DateTimeOffset at, DateTimeOffset notBefore, CancellationToken cancellationToken = default);

    /// <summary>The time of the latest event of any type in [<paramref name="from"/>, <paramref name="to"/>].</summary>
    Task<DateTimeOffset?> LastEventAtAsync(TvKey tv, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);
}

/// <summary>
/// The TVs' days (<see cref="TvDay"/>), one partition per municipality and JST day, so that a table of the whole
/// municipality is a few partition scans instead of log queries per TV.
/// </summary>
public interface ITvDayStore
{
    /// <summary>Merges the events into their TVs' days (idempotent: a set; ETags against concurrent writers).</summary>
    Task MergeAsync(string municipalityCode, IReadOnlyList<TvEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Every TV day of the municipality's JST day.</summary>
    Task<IReadOnlyDictionary<TvKey, TvDay>> ListAsync(string municipalityCode, DateOnly day, CancellationToken cancellationToken = default);
}

/// <summary>Watching alerts, one row per episode.</summary>
public interface IWatchAlertStore
{
    /// <summary>Inserts the alert, or returns the one raised before for the same episode (same id).</summary>
    Task<WatchAlert> AddOrGetAsync(WatchAlert alert, CancellationToken cancellationToken = default);

    Task MarkNotifiedAsync(WatchAlert alert, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The municipality's watching alerts, newest first.</summary>
    Task<IReadOnlyList<WatchAlert>> ListAsync(string municipalityCode, int limit, CancellationToken cancellationToken = default);
}
