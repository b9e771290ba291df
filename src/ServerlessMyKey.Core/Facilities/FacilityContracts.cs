using ServerlessMyKey.Core.Idempotency;

namespace ServerlessMyKey.Core.Facilities;

// Public-facility cards (公共施設の利用者カード): the MyKey platform's live use, e.g. a library card.

/// <summary>
/// <c>POST /api/mykey/facilities</c> by a municipality. <c>TerminalClientIds</c> are the service
/// clients whose terminals may check citizens in (default: the registering client).
/// </summary>
public sealed record FacilityRegistration(string FacilityId, string Name, string MunicipalityCode, string? Kind = null, IReadOnlyList<string>? TerminalClientIds = null);

/// <summary>A registered facility (library, sports hall, …) of a municipality.</summary>
public sealed record Facility(string FacilityId, string Name, string MunicipalityCode, string Kind, IReadOnlyList<string> TerminalClientIds, string RegisteredBy)
{
    public bool SameAs(Facility other) =>
        other is not null && (FacilityId, Name, MunicipalityCode, Kind, RegisteredBy) == (other.FacilityId, other.Name, other.MunicipalityCode, other.Kind, other.RegisteredBy)
        && TerminalClientIds.SequenceEqual(other.TerminalClientIds, StringComparer.Ordinal);
}

/// <summary><c>POST /api/mykey/facilities/{facilityId}/links</c> by the logged-in citizen: the facility's user number (利用者番号).</summary>
public sealed record FacilityLinkRequest(string UserNumber);

/// <summary>A MyKey ID linked to a facility's user number.</summary>
public sealed record FacilityLink(string FacilityId, string MyKeyId, string UserNumber, DateTimeOffset LinkedAt);

/// <summary>One line of a facility's append-only check-in log.</summary>
public sealed record FacilityCheckin(string CheckinId, string FacilityId, string MyKeyId, string UserNumber, string TerminalClientId, DateTimeOffset At);

/// <summary>
/// <c>GET …/checkins</c>: the facility's check-in log, newest first; <c>next</c> (when more may follow) is the
/// <c>after</c> of the following page. Entries name the facility's user number, not the MyKey ID.
/// </summary>
public sealed record CheckinLog(IReadOnlyList<CheckinLogEntry> Checkins, string? Next);

public sealed record CheckinLogEntry(string CheckinId, string UserNumber, string TerminalClientId, DateTimeOffset At);

/// <summary>The answer to <c>POST …/checkins</c>: who the logged-in citizen is at this facility.</summary>
public sealed record CheckinResponse(string CheckinId, string FacilityId, string UserNumber, DateTimeOffset At);

/// <summary>A citizen's link as read, with the owner of a user number, for a conditional rewrite.</summary>
public sealed record FacilityLinkSnapshot(FacilityLink? Current, string? CurrentToken, string? UserNumberOwner, StoredResponse? StoredResponse);

/// <summary>Storage of facilities, links and check-ins; each write is atomic within one facility.</summary>
public interface IFacilityStore
{
    Task<Facility?> FindFacilityAsync(string facilityId, CancellationToken cancellationToken = default);

    Task<StoredResponse?> FindRegistrationResponseAsync(string idempotencyKeyHash, CancellationToken cancellationToken = default);

    /// <summary>Inserts the facility and the response under its key; <c>false</c> when either was taken meanwhile.</summary>
    Task<bool> TryAddFacilityAsync(Facility facility, IdempotentWrite? response = null, CancellationToken cancellationToken = default);

    Task<FacilityLink?> FindLinkAsync(string facilityId, string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>The citizen's current link, who holds <paramref name="userNumber"/>, and the response stored under the key.</summary>
    Task<FacilityLinkSnapshot> ReadLinkAsync(string facilityId, string myKeyId, string userNumber, string? idempotencyKeyHash, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="link"/> in place of the snapshot's link (freeing its user number); <c>false</c> when anything changed since.</summary>
    Task<bool> TryWriteLinkAsync(FacilityLinkSnapshot snapshot, FacilityLink link, IdempotentWrite? response = null, CancellationToken cancellationToken = default);

    Task<StoredResponse?> FindCheckinResponseAsync(string facilityId, string idempotencyKeyHash, CancellationToken cancellationToken = default);

    /// <summary>Appends to the facility's log (and the response under its key); <c>false</c> when the key was used meanwhile.</summary>
    Task<bool> TryAppendCheckinAsync(FacilityCheckin checkin, IdempotentWrite? response = null, CancellationToken cancellationToken = default);

    /// <summary>The newest check-ins of a facility, newest first.</summary>
    /// <param name="after">A check-in id: only older check-ins (ids sort newest first); null for the newest.</param>
    Task<IReadOnlyList<FacilityCheckin>> ListCheckinsAsync(string facilityId, int limit, string? after = null, CancellationToken cancellationToken = default);
}

/// <summary>Roles of service clients for public-facility cards.</summary>
public static class FacilityRoles
{
    /// <summary>A municipality registering its facilities.</summary>
    public const string Admin = "facilities.admin";

    /// <summary>A facility's terminal checking citizens in.</summary>
    public const string Checkin = "facilities.checkin";
}
