using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using static ServerlessMyKey.Core.Validation.RequestFields;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// Links TVs and residents: the TV platform asks for a pairing code (single use, 10 minutes) that the
/// TV shows as a QR code; the resident, logged in with the card, claims it and registers the names the
/// TV greets them with, their municipality and district, and consent to watching. One resident may have
/// several TVs; a TV has one resident until it is unlinked.
/// </summary>
public sealed partial class TvPairingService(IDisasterRegistry registry, ResidentNames names, KnownTvs knownTvs, DisasterOptions options, TimeProvider time)
{
    private const string CodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const int CodeLength = 8;

    public async Task<PairingCreated> CreatePairingAsync(PairingRequest request, ServiceClient platform, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(platform);
        // A TV id is the platform's own: the code is for this platform's TV of that id, whatever other platforms have.
        var tvId = RequireId(request.TvId, "tvId");
        var expiresAt = time.GetUtcNow() + options.PairingLifetime;
        while (true)
        {
            var code = NewCode();
            if (await registry.TryAddPairingAsync(new TvPairing(HashCode(code), tvId, platform.ClientId, expiresAt), cancellationToken))
            {
                return new PairingCreated(code, expiresAt, options.QrBaseUri + code);
            }
        }
    }

    /// <summary>The resident claims the code shown by the TV; a repeated claim by the same resident answers the same.</summary>
    public async Task<PairingClaimed> ClaimAsync(string pairingCode, PairingClaim claim, Citizen citizen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(citizen);
        var details = claim.Resident ?? throw new ServiceException(ErrorCodes.InvalidRequest, "resident is required.");
        var name = new ResidentName(RequireText(details.DisplayName, "resident.displayName", 50), RequireText(details.Furigana, "resident.furigana", 100));
        var municipality = options.RequireMunicipality(details.MunicipalityCode);
        var district = RequireId(details.DistrictCode, "resident.districtCode");
        if (pairingCode is null || !CodePattern().IsMatch(pairingCode))
        {
            throw new ServiceException(ErrorCodes.PairingNotFound, "A pairing code is 8 characters of 2–9 and A–Z without I and O.");
        }

        var pairing = await registry.FindPairingAsync(HashCode(pairingCode), cancellationToken)
            ?? throw new ServiceException(ErrorCodes.PairingNotFound);
        if (pairing.ClaimedBy is { } claimedBy && claimedBy != citizen.MyKeyId)
        {
            throw new ServiceException(ErrorCodes.PairingAlreadyUsed);
        }

        var tv = new TvKey(pairing.PlatformId, pairing.TvId);
        var existingTv = await registry.FindTvAsync(tv, cancellationToken);
        if (existingTv is not null && existingTv.MyKeyId != citizen.MyKeyId)
        {
            throw new ServiceException(ErrorCodes.TvAlreadyPaired);
        }

        var resident = await registry.FindResidentByMyKeyIdAsync(citizen.MyKeyId, cancellationToken);
        var tvs = resident is null ? [] : await registry.ListTvsOfResidentAsync(citizen.MyKeyId, cancellationToken);
        if (resident is not null && resident.MunicipalityCode != municipality && tvs.Any(t => t.Key != tv))
        {
            throw new ServiceException(ErrorCodes.AlreadyExists, "The resident's other TVs are registered in another municipality; unlink them first.");
        }

        if (pairing.ClaimedBy is null)
        {
            if (time.GetUtcNow() > pairing.ExpiresAt)
            {
                throw new ServiceException(ErrorCodes.PairingExpired);
            }

            // The single use: only one claim changes the row it read.
            if (!await registry.TryClaimPairingAsync(pairing, citizen.MyKeyId, cancellationToken))
            {
                var now = await registry.FindPairingAsync(pairing.CodeHash, cancellationToken);
                if (now?.ClaimedBy != citizen.MyKeyId)
                {
                    throw new ServiceException(ErrorCodes.PairingAlreadyUsed);
                }
            }
        }
        else if (existingTv is null && time.GetUtcNow() > pairing.ExpiresAt)
        {
            // The resident's own code again, past its ten minutes, for a TV linked to no one: they unlinked it since (it may
            // be someone else's TV now), or their claim never took it. The code finishes only a link it made.
            throw new ServiceException(ErrorCodes.PairingExpired);
        }

        var residentId = resident?.ResidentId ?? NewResidentId();
        var updated = new Resident(residentId, citizen.MyKeyId, municipality, district, details.NeedsAssistance, claim.Consent?.Watching ?? false,
            await names.ProtectAsync(municipality, residentId, name, cancellationToken), resident?.RegisteredAt ?? time.GetUtcNow());
        // A new link (first, after an unlink, or a move) starts now: the TV tells nothing of the time before it (TvActivity.Tells).
        var linkedAt = time.GetUtcNow();
        var link = existingTv is not null && existingTv.MunicipalityCode == municipality
            ? existingTv with { DistrictCode = district }
            : new TvLink(pairing.TvId, pairing.PlatformId, residentId, citizen.MyKeyId, municipality, district, linkedAt, existingTv?.CountFrom,
                MovedInAt: existingTv is null ? null : linkedAt);

        // The TV's own row first, as the lock: of two claims at once (two codes, two municipalities) one writes the
        // resident and the index rows, the other is 409 and has written nothing. The index rows come last; the TV
        // leaves the old municipality's registry before it joins the new one's.
        var tvClaim = await registry.TryBeginTvClaimAsync(link, cancellationToken);
        if (tvClaim is null)
        {
            throw await registry.FindTvAsync(tv, cancellationToken) is { } other && other.MyKeyId != citizen.MyKeyId
                ? new ServiceException(ErrorCodes.TvAlreadyPaired)
                : BusyTv();
        }

        // Another claim of this resident (another TV, or this one a moment ago) may have registered them since they were
        // read: their resident id stays, and this TV's link names it.
        if (await registry.FindResidentByMyKeyIdAsync(citizen.MyKeyId, cancellationToken) is { } registered && registered.ResidentId != residentId)
        {
            residentId = registered.ResidentId;
            updated = updated with
            {
                ResidentId = residentId,
                RegisteredAt = registered.RegisteredAt,
                ProtectedNames = await names.ProtectAsync(municipality, residentId, name, cancellationToken),
            };
            tvClaim = await registry.TryUpdateTvClaimAsync(tvClaim, tvClaim.Link with { ResidentId = residentId }, cancellationToken)
                ?? throw BusyTv();
        }

        var completed = await registry.SaveResidentAsync(updated, tvClaim, cancellationToken) && await registry.CompleteTvClaimAsync(tvClaim, cancellationToken);
        link = tvClaim.Link;
        knownTvs.Forget(link.Key);
        if (!completed)
        {
            // This claim stalled past its hold and another request has the TV now: that request's rows stand.
            throw BusyTv();
        }

        await FollowDistrictAsync(citizen.MyKeyId, cancellationToken);
        return new PairingClaimed(link.TvId, residentId);
    }

    public async Task<TvRegistrationList> ListRegistrationsAsync(Citizen citizen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        var tvs = await registry.ListTvsOfResidentAsync(citizen.MyKeyId, cancellationToken);
        return new TvRegistrationList([.. tvs.Select(t => new TvRegistrationView(t.TvId, t.PlatformId, t.ResidentId, t.MunicipalityCode, t.DistrictCode, t.LinkedAt))]);
    }

    /// <summary>
    /// Unlinks one of the resident's TVs: it gets no alerts, and its logs stop counting. Without
    /// <paramref name="platformId"/>, the resident's TV of that id (<c>400</c> when two of their TVs, of two
    /// platforms, have it).
    /// </summary>
    public async Task UnlinkAsync(string? platformId, string tvId, Citizen citizen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        TvKey tv;
        if (platformId is not null)
        {
            tv = IsId(platformId) && IsId(tvId) ? new TvKey(platformId, tvId) : throw new ServiceException(ErrorCodes.TvNotRegistered);
        }
        else
        {
            var mine = (await registry.ListTvsOfResidentAsync(citizen.MyKeyId, cancellationToken)).Where(t => t.TvId == tvId).ToList();
            tv = mine.Count switch
            {
                0 => throw new ServiceException(ErrorCodes.TvNotRegistered),
                1 => mine[0].Key,
                _ => throw new ServiceException(ErrorCodes.InvalidRequest, "Two of your TVs (of two platforms) have this id: DELETE /api/tv/registrations/{platformId}/{tvId}."),
            };
        }

        // The TV's own row first, as a claim takes it: an unlink never runs beside a claim or another unlink of the TV.
        var hold = await registry.TryHoldTvAsync(tv, citizen.MyKeyId, cancellationToken);
        if (hold.Claim is null)
        {
            throw hold.Busy ? BusyTv() : new ServiceException(ErrorCodes.TvNotRegistered);
        }

        var completed = await registry.CompleteTvUnlinkAsync(hold.Claim, cancellationToken);
        knownTvs.Forget(tv);
        if (!completed)
        {
            throw BusyTv();
        }
    }

    /// <summary>
    /// The resident's TVs follow their district (a claim may have changed it), each under its own hold, to the district
    /// the resident has once it is held (so of two claims changing it at once, the later resident row wins on every TV).
    /// A TV unlinked or linked to someone else meanwhile is left alone; one another request holds is <c>409</c> (retry).
    /// </summary>
    private async Task FollowDistrictAsync(string myKeyId, CancellationToken cancellationToken)
    {
        if (await registry.FindResidentByMyKeyIdAsync(myKeyId, cancellationToken) is not { } registered)
        {
            return;
        }

        var busy = false;
        var astray = (await registry.ListTvsOfResidentAsync(myKeyId, cancellationToken))
            .Where(t => t.MunicipalityCode == registered.MunicipalityCode && t.DistrictCode != registered.DistrictCode);
        foreach (var listed in astray)
        {
            var hold = await registry.TryHoldTvAsync(listed.Key, myKeyId, cancellationToken);
            busy |= hold.Busy;
            if (hold.Claim is { } held)
            {
                var resident = await registry.FindResidentByMyKeyIdAsync(myKeyId, cancellationToken);
                var followed = resident is not null && resident.MunicipalityCode == held.Link.MunicipalityCode ? held.Link with { DistrictCode = resident.DistrictCode } : held.Link;
                busy |= !await registry.CompleteTvClaimAsync(held with { Link = followed }, cancellationToken);
            }
        }

        if (busy)
        {
            throw BusyTv();
        }
    }

    private static ServiceException BusyTv() => new(ErrorCodes.Conflict, "The TV is being claimed or unlinked by another request; retry.");

    /// <summary>The municipality's registered residents (names decrypted for its staff), optionally of one district.</summary>
    public async Task<ResidentList> ListResidentsAsync(string? municipalityCode, string? districtCode, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var municipality = options.RequireMunicipality(municipalityCode);
        options.RequireStaffOf(caller, municipality);
        var district = districtCode is null ? null : RequireId(districtCode, "districtCode");
        var tvs = (await registry.ListTvsAsync(municipality, cancellationToken)).ToLookup(t => t.ResidentId, StringComparer.Ordinal);
        var rows = new List<ResidentView>();
        foreach (var resident in await registry.ListResidentsAsync(municipality, cancellationToken))
        {
            if (district is not null && resident.DistrictCode != district)
            {
                continue;
            }

            var name = await names.RevealAsync(municipality, resident.ResidentId, resident.ProtectedNames, cancellationToken);
            rows.Add(new ResidentView(resident.ResidentId, name.DisplayName, name.Furigana, municipality, resident.DistrictCode, resident.NeedsAssistance, resident.Watching,
                [.. tvs[resident.ResidentId].Select(t => t.TvId).Order(StringComparer.Ordinal)],
                [.. tvs[resident.ResidentId].OrderBy(t => t.TvId, StringComparer.Ordinal).ThenBy(t => t.PlatformId, StringComparer.Ordinal).Select(t => new ResidentTvView(t.TvId, t.PlatformId))]));
        }

        return new ResidentList(rows);
    }

    internal static string HashCode(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("tv-pairing|" + code)));

    private static string NewCode() => string.Create(CodeLength, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = CodeAlphabet[RandomNumberGenerator.GetInt32(CodeAlphabet.Length)];
        }
    });

    private static string NewResidentId() => "r-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    [GeneratedRegex(@"\A[2-9A-HJ-NP-Z]{8}\z")]
    private static partial Regex CodePattern();
}
