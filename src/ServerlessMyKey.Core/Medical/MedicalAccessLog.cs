using System.Globalization;
using System.Text.RegularExpressions;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Medical;

/// <summary>Where the patients' access logs live: one append-only log per MyKey ID, read newest first.</summary>
public interface IMedicalAccessLogStore
{
    /// <summary>Appends an entry under <paramref name="entryId"/> (which sorts newest first).</summary>
    Task AppendAsync(string myKeyId, string entryId, AccessLogEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> entries, newest first, older than <paramref name="after"/> when given.</summary>
    Task<IReadOnlyList<(string EntryId, AccessLogEntry Entry)>> ListAsync(string myKeyId, int limit, string? after, CancellationToken cancellationToken = default);
}

/// <summary>
/// The patient's access log (医療情報へのアクセス記録): every eligibility answer, check-in and consent check
/// about them — which facility, when, what kind and category, allowed or not — which the patient reads.
/// </summary>
public sealed partial class MedicalAccessLog(IMedicalAccessLogStore store, TimeProvider time)
{
    public static class Kinds
    {
        public const string Eligibility = "eligibility";
        public const string ConsentCheck = "consent-check";
        public const string Checkin = "checkin";
    }

    public async Task<DateTimeOffset> RecordAsync(string myKeyId, string facilityCode, string kind, string? category, bool allowed, string? code, CancellationToken cancellationToken = default)
    {
        var at = time.GetUtcNow();
        await store.AppendAsync(myKeyId, NewEntryId(at), new AccessLogEntry(at, facilityCode, kind, category, allowed, code), cancellationToken);
        return at;
    }

    /// <summary>The citizen's own log, newest first; <paramref name="limit"/> 1–200 (50), <paramref name="after"/> the previous page's <c>next</c>.</summary>
    public async Task<AccessLogPage> ReadAsync(Citizen citizen, int? limit, string? after, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        var count = limit ?? 50;
        if (count is < 1 or > 200)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "limit must be 1–200.");
        }

        if (after is not null && !EntryIdPattern().IsMatch(after))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "after must be the 'next' of a previous page.");
        }

        var rows = await store.ListAsync(citizen.MyKeyId, count, after, cancellationToken);
        return new AccessLogPage([.. rows.Select(r => r.Entry)], rows.Count == count ? rows[^1].EntryId : null);
    }

    /// <summary>Sorts newest first (inverted ticks) and is unique (random tail).</summary>
    private static string NewEntryId(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];

    [GeneratedRegex(@"^[0-9]{19}-[0-9a-f]{12}\z")]
    private static partial Regex EntryIdPattern();
}
