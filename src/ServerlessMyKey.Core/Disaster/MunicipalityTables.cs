using System.Collections.Concurrent;
using System.Globalization;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using static ServerlessMyKey.Core.Validation.RequestFields;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// The municipality's two tables: 避難状況確認 (per alert: 確認状況 from shelter check-ins, 発災時視聴状況
/// from the TVs' power events at the alert's <c>sent</c>) and 在宅状況確認 (per date and JST slots: at home
/// when a TV was on, or had any event in the hour before). Only the caller's own residents; names are
/// decrypted here, for the response only.
/// </summary>
public sealed class MunicipalityTables(
    AlertService alerts,
    IAlertStore alertStore,
    IDisasterRegistry registry,
    ResidentNames names,
    ITvDayStore days,
    TvActivity activity,
    DisasterOptions options)
{
    public const int MaxSlots = 24;
    private const int Parallelism = 32;

    public async Task<EvacuationStatusTable> EvacuationStatusAsync(string alertId, string? districtCode, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var district = districtCode is null ? null : RequireId(districtCode, "districtCode");
        var alert = await alerts.RequireAlertAsync(alertId, caller, cancellationToken);
        var mine = options.MunicipalitiesOf(caller);
        var deliveries = (await alertStore.ListDeliveriesAsync(alert.AlertId, cancellationToken))
            .Where(d => mine.Contains(d.MunicipalityCode) && (district is null || d.DistrictCode == district))
            .ToList();
        var rows = new ConcurrentBag<(string Sort, EvacuationStatusRow Row)>();
        foreach (var municipality in deliveries.Select(d => d.MunicipalityCode).Distinct(StringComparer.Ordinal))
        {
            var residents = (await registry.ListResidentsAsync(municipality, cancellationToken)).ToDictionary(r => r.ResidentId, StringComparer.Ordinal);
            var tvs = (await registry.ListTvsAsync(municipality, cancellationToken)).ToDictionary(t => t.Key);
            var checkins = (await registry.ListCheckinsAsync(municipality, cancellationToken)).ToDictionary(c => c.ResidentId, StringComparer.Ordinal);
            var view = new TvDayView(days, activity, municipality);
            var byResident = deliveries.Where(d => d.MunicipalityCode == municipality).GroupBy(d => d.ResidentId, StringComparer.Ordinal);
            await Parallel.ForEachAsync(byResident, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (group, ct) =>
            {
                if (!residents.TryGetValue(group.Key, out var resident) || (district is not null && resident.DistrictCode != district))
                {
                    return;
                }

                var states = new List<string>();
                foreach (var delivery in group)
                {
                    // A TV unlinked (or linked to someone else) since: its logs no longer count for this resident.
                    if (tvs.TryGetValue(delivery.Key, out var tv) && tv.ResidentId == resident.ResidentId)
                    {
                        states.Add(await view.PowerAtAsync(tv, alert.Sent, ct));
                    }
                }

                var tvAtAlert = states.Contains("on") ? "on" : states.Contains("off") ? "off" : "unknown";
                var checkin = checkins.GetValueOrDefault(resident.ResidentId);
                var evacuated = checkin is not null && checkin.LatestAt >= alert.Sent - options.CheckinLookback;
                var name = await names.RevealAsync(municipality, resident.ResidentId, resident.ProtectedNames, ct);
                rows.Add((resident.DistrictCode + "\u0001" + name.Furigana + "\u0001" + resident.ResidentId, new EvacuationStatusRow(
                    resident.ResidentId, name.DisplayName, name.Furigana, resident.DistrictCode,
                    evacuated ? "evacuated" : "unconfirmed", evacuated ? checkin!.ShelterId : null, evacuated ? checkin!.FirstAt : null, tvAtAlert)));
            });
        }

        return new EvacuationStatusTable(alert.AlertId, alert.Sent, [.. rows.OrderBy(r => r.Sort, StringComparer.Ordinal).Select(r => r.Row)]);
    }

    public async Task<PresenceTable> PresenceAsync(string? municipalityCode, string? date, string? slots, string? districtCode, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var municipality = options.RequireMunicipality(municipalityCode);
        options.RequireStaffOf(caller, municipality);
        var day = DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsedDay)
            ? parsedDay
            : throw new ServiceException(ErrorCodes.InvalidRequest, "date must be YYYY-MM-DD.");
        var times = ParseSlots(slots);
        var district = districtCode is null ? null : RequireId(districtCode, "districtCode");
        var tvs = (await registry.ListTvsAsync(municipality, cancellationToken)).ToLookup(t => t.ResidentId, StringComparer.Ordinal);
        var residents = (await registry.ListResidentsAsync(municipality, cancellationToken)).Where(r => district is null || r.DistrictCode == district).ToList();
        var rows = new ConcurrentBag<(string Sort, PresenceRow Row)>();
        var view = new TvDayView(days, activity, municipality);
        await Parallel.ForEachAsync(residents, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (resident, ct) =>
        {
            var slotValues = new SortedDictionary<string, bool>(StringComparer.Ordinal);
            foreach (var (label, time) in times)
            {
                var at = JapanTime.At(day, time);
                var home = false;
                foreach (var tv in tvs[resident.ResidentId])
                {
                    if (await view.AtHomeAsync(tv, at, ct))
                    {
                        home = true;
                        break;
                    }
                }

                slotValues[label] = home;
            }

            var name = await names.RevealAsync(municipality, resident.ResidentId, resident.ProtectedNames, ct);
            rows.Add((resident.DistrictCode + "\u0001" + name.Furigana + "\u0001" + resident.ResidentId,
                new PresenceRow(resident.ResidentId, name.DisplayName, name.Furigana, resident.DistrictCode, slotValues)));
        });
        return new PresenceTable(municipality, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), [.. times.Select(t => t.Label)],
            [.. rows.OrderBy(r => r.Sort, StringComparer.Ordinal).Select(r => r.Row)]);
    }

    private static List<(string Label, TimeOnly Time)> ParseSlots(string? slots)
    {
        var labels = (string.IsNullOrEmpty(slots) ? "09:00,15:00,21:00" : slots).Split(',', StringSplitOptions.TrimEntries);
        if (labels.Length > MaxSlots)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"slots may name {MaxSlots} times.");
        }

        var parsed = new List<(string, TimeOnly)>();
        foreach (var label in labels.Distinct(StringComparer.Ordinal))
        {
            parsed.Add(label.Length == 5 && TimeOnly.TryParseExact(label, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
                ? (label, time)
                : throw new ServiceException(ErrorCodes.InvalidRequest, "slots must be comma-separated HH:mm times (JST)."));
        }

        return parsed;
    }
}
