namespace ServerlessMyKey.Core.Disaster;

// What the disaster stores keep. Names of residents are personal data: they are only ever held as
// ProtectedNames (AES-256-GCM under the municipality's data key, itself envelope-encrypted).

/// <summary>A pairing code as stored: only its hash, the TV and platform, and who claimed it.</summary>
public sealed record TvPairing(string CodeHash, string TvId, string PlatformId, DateTimeOffset ExpiresAt, string? ClaimedBy = null, string? ETag = null);

/// <summary>A resident (one per MyKey ID), in one municipality.</summary>
public sealed record Resident(
    string ResidentId,
    string MyKeyId,
    string MunicipalityCode,
    string DistrictCode,
    bool NeedsAssistance,
    bool Watching,
    byte[] ProtectedNames,
    DateTimeOffset RegisteredAt);

/// <summary>
/// A TV linked to a resident; the TV belongs to one platform. <c>CountFrom</c>: when the TV was last
/// unlinked from an earlier resident (their logs never count for this one); <c>null</c> for a TV's first link.
/// <c>MovedInAt</c>: when its resident moved it here from another municipality (its days before are under that
/// municipality's <c>TvDays</c>, so the tables and watching ask its log); <c>null</c> when it was linked here.
/// <c>LinkedAt</c>: when this link here began (the claim, or the move; a later claim of the same resident here keeps it):
/// the TV tells nothing of a time before it (<see cref="TvActivity.Tells"/>).
/// </summary>
public sealed record TvLink(string TvId, string PlatformId, string ResidentId, string MyKeyId, string MunicipalityCode, string DistrictCode, DateTimeOffset LinkedAt, DateTimeOffset? CountFrom = null, DateTimeOffset? MovedInAt = null)
{
    public TvKey Key => new(PlatformId, TvId);
}

/// <summary>
/// A claim of a TV in progress (<see cref="IDisasterRegistry.TryBeginTvClaimAsync"/>): the link it writes, the
/// municipalities the TV leaves, the TV row's ETag under which it releases it, and the TV's index rows and its resident's MyKey ID row as the hold read
/// them (the store's own keys; an ETag, or <c>null</c> for a row that was not there): they are written only while they
/// still are what was read, so a request that stalled past its hold writes nothing over a later request's rows.
/// </summary>
public sealed record TvClaim(TvLink Link, IReadOnlyList<string> LeftMunicipalities, string ETag, IReadOnlyDictionary<string, string?>? IndexRows = null);

/// <summary>
/// The outcome of <see cref="IDisasterRegistry.TryHoldTvAsync"/>: the hold, or none — <paramref name="Busy"/> when another
/// claim or unlink has the TV (retry), else the TV is not linked to that resident.
/// </summary>
public sealed record TvHold(TvClaim? Claim, bool Busy);

/// <summary>A TV's platform logged that the TV showed the alert at <paramref name="At"/> (an <c>alert_displayed</c> event).</summary>
public sealed record AlertDisplay(string AlertId, TvKey Tv, DateTimeOffset At);

/// <summary>A resident's check-in at a shelter: the first time of the episode and the latest shelter.</summary>
public sealed record ShelterCheckin(string MunicipalityCode, string ResidentId, string ShelterId, DateTimeOffset FirstAt, DateTimeOffset LatestAt, string? ETag = null);

/// <summary>An alert as stored (every CAP alert received, delivered or not).</summary>
public sealed record DisasterAlert(
    string AlertId,
    string Identifier,
    string Sender,
    DateTimeOffset Sent,
    string CapStatus,
    string MsgType,
    IReadOnlyList<string> MunicipalityCodes,
    IReadOnlyList<string> DistrictCodes,
    IReadOnlyList<string> References,
    int? Level,
    IReadOnlyList<string> Shelters,
    DateTimeOffset? Expires,
    bool Exercise,
    string State,
    int Targets,
    string SubmittedBy,
    DateTimeOffset ReceivedAt,
    byte[] Cap,
    string? ReplacedBy = null);

public static class AlertStates
{
    public const string Delivering = "delivering";
    public const string Delivered = "delivered";
    public const string Stored = "stored";
    public const string Expired = "expired";
    public const string Cancelled = "cancelled";
    public const string Updated = "updated";
}

/// <summary>
/// The delivery of one alert to one TV. <c>LeaseId</c>: the delivery batch that took it to <c>sending</c>
/// (its re-check message names it, see <see cref="AlertWorkItem.Recheck"/>). <c>ProtectedNames</c>: the
/// resident's names as the registry stores them (encrypted, <see cref="ResidentNames"/>), copied at planning so
/// that a batch decrypts them without reading the registry per TV; <c>null</c> when the resident was gone.
/// </summary>
public sealed record AlertDelivery(
    string AlertId,
    string TvId,
    string PlatformId,
    string ResidentId,
    string MunicipalityCode,
    string DistrictCode,
    string State,
    int Attempts,
    string? LastError,
    DateTimeOffset? SendingSince,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? DisplayedAt,
    string? ETag = null,
    string? LeaseId = null,
    byte[]? ProtectedNames = null)
{
    public TvKey Key => new(PlatformId, TvId);
}

public static class DeliveryStates
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Retrying = "retrying";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Expired = "expired";

    public static bool IsFinal(string state) => state is Delivered or Failed or Expired;
}

/// <summary>One operation-log event of a known TV.</summary>
public sealed record TvEvent(string EventId, string TvId, string PlatformId, string Type, DateTimeOffset At, string? Channel, string? AlertId)
{
    public TvKey Key => new(PlatformId, TvId);
}

public static class TvEventTypes
{
    public const string PowerOn = "power_on";
    public const string PowerOff = "power_off";
    public const string Channel = "channel";
    public const string AlertDisplayed = "alert_displayed";
    public const string Button = "button";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { PowerOn, PowerOff, Channel, AlertDisplayed, Button };
}

/// <summary>A power event (the latest before a time tells whether the TV was on).</summary>
public sealed record TvPowerEvent(TvKey Tv, string Type, DateTimeOffset At);

/// <summary>A watching alert as stored, once per episode (TV, kind, start of the episode).</summary>
public sealed record WatchAlert(string MunicipalityCode, string WatchAlertId, string ResidentId, TvKey Tv, string Kind, DateTimeOffset Since, DateTimeOffset RaisedAt, DateTimeOffset? NotifiedAt);

/// <summary>
/// A unit of fan-out work on the delivery queue: plan the alert's targets, deliver to some TVs, or re-check
/// the TVs a delivery batch leased (<c>LeaseId</c>) once its lease is over. The TVs of one item are of one
/// platform (<c>PlatformId</c>, so the message stays as small as the TV ids).
/// </summary>
public sealed record AlertWorkItem(string AlertId, string Kind, string? PlatformId = null, IReadOnlyList<string>? TvIds = null, string? LeaseId = null)
{
    /// <summary>The TVs of the item (none for a plan).</summary>
    public IReadOnlyList<TvKey> Tvs() => PlatformId is null ? [] : [.. (TvIds ?? []).Select(id => new TvKey(PlatformId, id))];

    /// <summary>Items for <paramref name="tvs"/>: one platform each, at most <paramref name="batchSize"/> TVs.</summary>
    public static IEnumerable<AlertWorkItem> For(string alertId, string kind, IEnumerable<TvKey> tvs, int batchSize, string? leaseId = null) =>
        tvs.GroupBy(t => t.PlatformId, StringComparer.Ordinal)
            .SelectMany(platform => platform.Select(t => t.TvId).Chunk(batchSize).Select(ids => new AlertWorkItem(alertId, kind, platform.Key, ids, leaseId)));

    public const string Plan = "plan";
    public const string Deliver = "deliver";

    /// <summary>Queued (visible when the lease ends) before a batch takes its TVs to <c>sending</c>: re-queues the TVs still sending under that lease.</summary>
    public const string Recheck = "recheck";
}
