namespace ServerlessMyKey.Core.Disaster;

// The JSON shapes of the disaster routes (API.md "Smart-TV disaster prevention and watching").

/// <summary><c>POST /api/tv/pairings</c> by a TV platform.</summary>
public sealed record PairingRequest(string TvId);

/// <summary>The code the TV shows (as text and as the QR payload), single use, 10 minutes.</summary>
public sealed record PairingCreated(string PairingCode, DateTimeOffset ExpiresAt, string QrPayload);

/// <summary><c>POST /api/tv/pairings/{pairingCode}/claim</c> by the logged-in resident.</summary>
public sealed record PairingClaim(ResidentDetails Resident, PairingConsent? Consent);

/// <summary>What the resident registers: the names the TV and the municipality show, and where they live.</summary>
public sealed record ResidentDetails(string DisplayName, string Furigana, string MunicipalityCode, string DistrictCode, bool NeedsAssistance = false);

/// <summary>Consent to watching (見守り): odd viewing patterns are told to the municipality.</summary>
public sealed record PairingConsent(bool Watching);

public sealed record PairingClaimed(string TvId, string ResidentId);

/// <summary>One TV linked to the resident (<c>GET /api/tv/registrations</c>).</summary>
public sealed record TvRegistrationView(string TvId, string PlatformId, string ResidentId, string MunicipalityCode, string DistrictCode, DateTimeOffset LinkedAt);

public sealed record TvRegistrationList(IReadOnlyList<TvRegistrationView> Registrations);

/// <summary>
/// One registered resident as the municipality sees them (<c>GET /api/disaster/residents</c>). <c>tvIds</c>: their
/// TVs' ids; <c>tvs</c>: the same TVs with their platforms (a TV id is its platform's own: two platforms may use the same).
/// </summary>
public sealed record ResidentView(string ResidentId, string DisplayName, string Furigana, string MunicipalityCode, string DistrictCode, bool NeedsAssistance, bool Watching, IReadOnlyList<string> TvIds, IReadOnlyList<ResidentTvView> Tvs);

/// <summary>One TV of a resident: its id on its platform.</summary>
public sealed record ResidentTvView(string TvId, string PlatformId);

public sealed record ResidentList(IReadOnlyList<ResidentView> Residents);

/// <summary>The answer to <c>POST /api/disaster/alerts</c>.</summary>
public sealed record AlertAccepted(string AlertId, string Status, int Targets);

/// <summary>
/// <c>GET /api/disaster/alerts/{alertId}</c>. <c>status</c>: <c>delivering</c> while TVs are still
/// pending, then <c>delivered</c> (every TV delivered or failed); <c>stored</c> for Test/System/Draft and
/// alerts that target no TV; <c>expired</c> when it expired before delivery; <c>cancelled</c> or
/// <c>updated</c> when a later alert references it. <c>failures</c> lists the TVs whose delivery gave up
/// (the poison path), at most 100; <c>deliveries</c> the state of each TV, by TV id, at most 1,000
/// (<c>deliveriesTruncated</c> when the alert has more: the counts cover them all).
/// </summary>
public sealed record AlertStatusView(
    string AlertId,
    string Identifier,
    string Sender,
    DateTimeOffset Sent,
    string CapStatus,
    string MsgType,
    string Status,
    bool Exercise,
    int? Level,
    IReadOnlyList<string> Shelters,
    DateTimeOffset? Expires,
    IReadOnlyList<string> MunicipalityCodes,
    IReadOnlyList<string> References,
    string? ReplacedBy,
    AlertCounts Counts,
    IReadOnlyList<DeliveryFailure> Failures,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<DeliveryView> Deliveries,
    bool DeliveriesTruncated);

public sealed record AlertCounts(int Targets, int Pending, int Retrying, int Delivered, int Failed, int Displayed, int Expired);

public sealed record DeliveryFailure(string TvId, string PlatformId, int Attempts, string? LastError);

/// <summary>One TV's delivery: <c>state</c> pending, sending, retrying, delivered, failed or expired.</summary>
public sealed record DeliveryView(string TvId, string PlatformId, string State, int Attempts, string? LastError, DateTimeOffset? DeliveredAt, DateTimeOffset? DisplayedAt);

/// <summary>The personal message posted to a TV platform's webhook for each of its TVs.</summary>
public sealed record TvAlertMessage(
    string Event,
    string AlertId,
    string TvId,
    string Text,
    int? Level,
    IReadOnlyList<string> Shelters,
    DateTimeOffset? Expires,
    bool Exercise,
    IReadOnlyList<string>? Replaces = null);

/// <summary><c>POST /api/tv/platforms/{platformId}/events</c>: 1–1,000 operation-log events.</summary>
public sealed record TvEventBatch(IReadOnlyList<TvEventInput> Events);

/// <summary>
/// One TV operation: <c>type</c> is <c>power_on</c>, <c>power_off</c>, <c>channel</c> (with <c>channel</c>),
/// <c>alert_displayed</c> (with the <c>alertId</c> shown) or <c>button</c>.
/// </summary>
public sealed record TvEventInput(string EventId, string TvId, string Type, DateTimeOffset At, string? Channel = null, string? AlertId = null);

/// <summary><c>unknownTvs</c>: events of TVs that are not linked (or not on this platform), counted and dropped.</summary>
public sealed record TvEventsAccepted(int Accepted, int Duplicates, int UnknownTvs);

/// <summary>The answer to a shelter check-in: the first check-in time and the latest shelter.</summary>
public sealed record ShelterCheckinResponse(string ResidentId, string ShelterId, string Status, DateTimeOffset At);

/// <summary>避難状況確認: one row per resident the alert targeted.</summary>
public sealed record EvacuationStatusTable(string AlertId, DateTimeOffset Sent, IReadOnlyList<EvacuationStatusRow> Rows);

/// <summary>
/// <c>confirmation</c>: <c>evacuated</c> (避難済) or <c>unconfirmed</c> (未確認); <c>tvAtAlert</c>: <c>on</c>
/// (ついている), <c>off</c> (ついていない) or <c>unknown</c> (no power event before the alert).
/// </summary>
public sealed record EvacuationStatusRow(
    string ResidentId,
    string DisplayName,
    string Furigana,
    string DistrictCode,
    string Confirmation,
    string? ShelterId,
    DateTimeOffset? CheckedInAt,
    string TvAtAlert);

/// <summary>在宅状況確認: for each resident, whether they were at home at each time slot (JST).</summary>
public sealed record PresenceTable(string MunicipalityCode, string Date, IReadOnlyList<string> Slots, IReadOnlyList<PresenceRow> Rows);

public sealed record PresenceRow(string ResidentId, string DisplayName, string Furigana, string DistrictCode, IReadOnlyDictionary<string, bool> Slots);

/// <summary>
/// A watching (見守り) alert: <c>kind</c> <c>on_too_long</c> (on since <c>since</c> for more than
/// <c>Watch:MaxOnHours</c>) or <c>idle_too_long</c> (no activity since <c>since</c> for more than
/// <c>Watch:MaxIdleHours</c>). One per episode; <c>notifiedAt</c> once the municipality's webhook took it.
/// </summary>
public sealed record WatchAlertView(string WatchAlertId, string ResidentId, string DisplayName, string DistrictCode, string TvId, string PlatformId, string Kind, DateTimeOffset Since, DateTimeOffset RaisedAt, DateTimeOffset? NotifiedAt);

public sealed record WatchAlertList(IReadOnlyList<WatchAlertView> WatchAlerts);

/// <summary>The <c>watch.alert</c> event posted to the municipality's webhook (ids only: the webhook receiver reads names through the API).</summary>
public sealed record WatchAlertEvent(string Event, string WatchAlertId, string MunicipalityCode, string ResidentId, string TvId, string PlatformId, string Kind, DateTimeOffset Since, DateTimeOffset RaisedAt);

/// <summary>Roles of service clients for the disaster routes.</summary>
public static class DisasterRoles
{
    /// <summary>A TV platform (its webhook source has the same id).</summary>
    public const string TvPlatform = "tv.platform";

    /// <summary>Municipality staff, for the municipalities of <c>Disaster:Municipalities:&lt;code&gt;:Clients</c>.</summary>
    public const string Admin = "disaster.admin";

    /// <summary>A shelter's terminal reading residents' cards.</summary>
    public const string Shelter = "disaster.shelter";
}
