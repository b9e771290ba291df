using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Points;
using ServerlessMyKey.Core.Security;
using static ServerlessMyKey.Core.Validation.RequestFields;

namespace ServerlessMyKey.Core.Facilities;

/// <summary>
/// Public-facility cards on the MyKey platform: a municipality registers a facility, a logged-in
/// citizen links their MyKey ID to the facility's user number, and the facility's terminal turns a
/// freshly logged-in citizen into that user number, each time writing a check-in to the log.
/// </summary>
public sealed partial class FacilityService(IFacilityStore store, IIdempotencyClaims claims, TimeProvider time)
{
    public const string DefaultKind = "library";

    /// <summary>Terminal clients of one facility: 100 ids of at most 64 characters, comma-joined, stay far below one 64 KiB property.</summary>
    public const int MaxTerminals = 100;

    public async Task<StoredResponse> RegisterAsync(FacilityRegistration registration, string? idempotencyKey, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(caller);
        var facility = new Facility(
            RequireId(registration.FacilityId, "facilityId"),
            RequireText(registration.Name, "name", 200),
            PointsRules.IsMunicipalityCode(registration.MunicipalityCode)
                ? registration.MunicipalityCode
                : throw new ServiceException(ErrorCodes.InvalidRequest, "municipalityCode must be a 6-digit municipality code."),
            registration.Kind is null ? DefaultKind : RequireId(registration.Kind, "kind"),
            registration.TerminalClientIds is { Count: > 0 } terminals
                ? terminals.Count <= MaxTerminals
                    ? [.. terminals.Select(t => RequireId(t, "terminalClientIds[]")).Distinct(StringComparer.Ordinal)]
                    : throw new ServiceException(ErrorCodes.InvalidRequest, $"terminalClientIds must list at most {MaxTerminals} clients.")
                : [caller.ClientId],
            caller.ClientId);
        var idempotency = await claims.ClaimIfKeyedAsync("facilities.register", caller.ClientId, idempotencyKey, registration, cancellationToken);
        var response = new StoredResponse(201, idempotency?.RequestHash ?? string.Empty, ApiJsonOptions.Serialize(facility));

        return await OptimisticRetry.RunIdempotentAsync(idempotency, store.FindRegistrationResponseAsync, async ct =>
        {
            if (await store.FindFacilityAsync(facility.FacilityId, ct) is { } existing)
            {
                return existing.SameAs(facility)
                    ? response
                    : throw new ServiceException(ErrorCodes.AlreadyExists, "A facility with this id is registered with other values.");
            }

            return await store.TryAddFacilityAsync(facility, Write(idempotency, response), ct) ? response : null;
        }, cancellationToken);
    }

    /// <summary>
    /// Links the citizen to a user number (replacing an earlier number of theirs); 409
    /// <c>already_exists</c> when another MyKey ID holds that number.
    /// </summary>
    public async Task<StoredResponse> LinkAsync(string facilityId, Citizen citizen, FacilityLinkRequest request, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        ArgumentNullException.ThrowIfNull(request);
        var facility = await RequireFacilityAsync(facilityId, cancellationToken);
        var userNumber = RequireUserNumber(request.UserNumber);
        var idempotency = await claims.ClaimIfKeyedAsync("facilities.links", citizen.MyKeyId, idempotencyKey, new { facilityId, request }, cancellationToken);

        return await OptimisticRetry.RunAsync<StoredResponse>(async ct =>
        {
            var snapshot = await store.ReadLinkAsync(facility.FacilityId, citizen.MyKeyId, userNumber, idempotency?.KeyHash, ct);
            if (idempotency is not null && snapshot.StoredResponse is { } stored)
            {
                return stored.ReplayFor(idempotency);
            }

            if (snapshot.UserNumberOwner is { } owner && owner != citizen.MyKeyId)
            {
                throw new ServiceException(ErrorCodes.AlreadyExists, "This user number is linked to another MyKey ID.");
            }

            var link = snapshot.Current is { } current && current.UserNumber == userNumber
                ? current
                : new FacilityLink(facility.FacilityId, citizen.MyKeyId, userNumber, time.GetUtcNow());
            var response = new StoredResponse(201, idempotency?.RequestHash ?? string.Empty, ApiJsonOptions.Serialize(link));
            if (ReferenceEquals(link, snapshot.Current) && idempotency is null)
            {
                return response;
            }

            return await store.TryWriteLinkAsync(snapshot, link, Write(idempotency, response), ct) ? response : null;
        }, cancellationToken);
    }

    public async Task<FacilityLink> GetLinkAsync(string facilityId, Citizen citizen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        var facility = await RequireFacilityAsync(facilityId, cancellationToken);
        return await store.FindLinkAsync(facility.FacilityId, citizen.MyKeyId, cancellationToken)
            ?? throw new ServiceException(ErrorCodes.NotFound, "This MyKey ID is not linked to a user number of the facility.");
    }

    /// <summary>A terminal of the facility resolves the logged-in citizen to their user number and logs the check-in.</summary>
    public async Task<StoredResponse> CheckInAsync(string facilityId, Citizen citizen, ServiceClient terminal, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        ArgumentNullException.ThrowIfNull(terminal);
        var facility = await RequireFacilityAsync(facilityId, cancellationToken);
        if (!facility.TerminalClientIds.Contains(terminal.ClientId, StringComparer.Ordinal) && !terminal.HasRole(ServiceRoles.Admin))
        {
            throw new ServiceException(ErrorCodes.Forbidden, "This API key is not a terminal of the facility.");
        }

        var idempotency = await claims.ClaimIfKeyedAsync("facilities.checkins", terminal.ClientId, idempotencyKey, new { facilityId, citizen.MyKeyId }, cancellationToken);
        return await OptimisticRetry.RunIdempotentAsync(idempotency, (key, ct) => store.FindCheckinResponseAsync(facility.FacilityId, key, ct), async ct =>
        {
            var link = await store.FindLinkAsync(facility.FacilityId, citizen.MyKeyId, ct)
                ?? throw new ServiceException(ErrorCodes.NotFound, "This MyKey ID is not linked to a user number of the facility.");
            var at = time.GetUtcNow();
            var checkin = new FacilityCheckin(NewCheckinId(at), facility.FacilityId, citizen.MyKeyId, link.UserNumber, terminal.ClientId, at);
            var response = new StoredResponse(201, idempotency?.RequestHash ?? string.Empty,
                ApiJsonOptions.Serialize(new CheckinResponse(checkin.CheckinId, checkin.FacilityId, checkin.UserNumber, checkin.At)));
            return await store.TryAppendCheckinAsync(checkin, Write(idempotency, response), ct) ? response : null;
        }, cancellationToken);
    }

    /// <summary>
    /// The facility's check-in log, newest first, for the client that registered the facility (its
    /// municipality) or an <c>admin</c>; others are 403 <c>forbidden</c>. <paramref name="limit"/> 1–200 (default 50).
    /// </summary>
    public async Task<CheckinLog> ListCheckinsAsync(string facilityId, int? limit, string? after, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var facility = await RequireFacilityAsync(facilityId, cancellationToken);
        if (!string.Equals(facility.RegisteredBy, caller.ClientId, StringComparison.Ordinal) && !caller.HasRole(ServiceRoles.Admin))
        {
            throw new ServiceException(ErrorCodes.Forbidden, "Only the client that registered the facility reads its check-in log.");
        }

        var count = limit ?? 50;
        if (count is < 1 or > 200)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "limit must be 1–200.");
        }

        if (after is not null && !CheckinIdPattern().IsMatch(after))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "after must be a check-in id from this log.");
        }

        var checkins = await store.ListCheckinsAsync(facility.FacilityId, count, after, cancellationToken);
        return new CheckinLog(
            [.. checkins.Select(c => new CheckinLogEntry(c.CheckinId, c.UserNumber, c.TerminalClientId, c.At))],
            checkins.Count == count ? checkins[^1].CheckinId : null);
    }

    /// <summary>A check-in id that sorts newest first (inverted time) and is unique (random tail).</summary>
    internal static string NewCheckinId(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<Facility> RequireFacilityAsync(string facilityId, CancellationToken cancellationToken) =>
        await store.FindFacilityAsync(RequireId(facilityId, "facilityId"), cancellationToken)
            ?? throw new ServiceException(ErrorCodes.NotFound, "No facility with this id is registered.");

    private static IdempotentWrite? Write(IdempotentRequest? idempotency, StoredResponse response) =>
        idempotency is null ? null : new IdempotentWrite(idempotency.KeyHash, response);

    private static string RequireUserNumber(string? userNumber) =>
        userNumber is not null && UserNumberPattern().IsMatch(userNumber)
            ? userNumber
            : throw new ServiceException(ErrorCodes.InvalidRequest, "userNumber must be 1–32 letters, digits or '-'.");

    [GeneratedRegex("^[A-Za-z0-9-]{1,32}\\z")]
    private static partial Regex UserNumberPattern();

    [GeneratedRegex("^[0-9]{19}-[0-9a-f]{12}\\z")]
    private static partial Regex CheckinIdPattern();
}
