using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;
using static ServerlessMyKey.Core.Validation.RequestFields;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// 避難完了: the shelter's terminal (its key) reads the resident's card (their login). The first
/// check-in of an episode keeps its time; a later one (another shelter, a re-read) updates the shelter.
/// A check-in more than <see cref="DisasterOptions.CheckinEpisode"/> after the previous starts a new episode.
/// </summary>
public sealed class ShelterCheckinService(IDisasterRegistry registry, DisasterOptions options, TimeProvider time)
{
    public async Task<ShelterCheckinResponse> CheckInAsync(string shelterId, Citizen citizen, ServiceClient terminal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        ArgumentNullException.ThrowIfNull(terminal);
        var shelter = RequireId(shelterId, "shelterId");
        var resident = await registry.FindResidentByMyKeyIdAsync(citizen.MyKeyId, cancellationToken)
            ?? throw new ServiceException(ErrorCodes.ResidentNotRegistered);
        var checkin = await OptimisticRetry.RunAsync(async ct =>
        {
            var now = time.GetUtcNow();
            var current = await registry.FindCheckinAsync(resident.MunicipalityCode, resident.ResidentId, ct);
            var next = current is null || now - current.LatestAt > options.CheckinEpisode
                ? new ShelterCheckin(resident.MunicipalityCode, resident.ResidentId, shelter, now, now, current?.ETag)
                : current with { ShelterId = shelter, LatestAt = now };
            return await registry.TryWriteCheckinAsync(next, ct) ? next : null;
        }, cancellationToken);
        return new ShelterCheckinResponse(resident.ResidentId, checkin.ShelterId, "evacuated", checkin.FirstAt);
    }
}
