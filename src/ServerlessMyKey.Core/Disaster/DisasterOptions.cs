using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// Settings of the disaster feature (read and checked by <c>AddDisaster</c>): the municipalities and
/// their staff clients (<c>Disaster:Municipalities:&lt;code&gt;:Clients</c>), the fan-out's batch size,
/// attempts and back-off, and the watching thresholds (<c>Watch:MaxOnHours</c>, <c>Watch:MaxIdleHours</c>).
/// </summary>
public sealed record DisasterOptions(IReadOnlyDictionary<string, IReadOnlySet<string>> MunicipalityClients)
{
    public TimeSpan PairingLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>TVs per delivery message (each delivered in parallel within the message).</summary>
    public int DeliveryBatchSize { get; init; } = 50;

    /// <summary>Attempts per TV before its delivery is marked failed (the poison path).</summary>
    public int MaxDeliveryAttempts { get; init; } = 5;

    /// <summary>First retry delay; doubled for each further attempt.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A delivery left <c>sending</c> longer than this (a crashed worker) is tried again.</summary>
    public TimeSpan SendingLease { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan MaxOn { get; init; } = TimeSpan.FromHours(18);

    public TimeSpan MaxIdle { get; init; } = TimeSpan.FromHours(24);

    /// <summary>A check-in this long before an alert's <c>sent</c> still counts as evacuated for it.</summary>
    public TimeSpan CheckinLookback { get; init; } = TimeSpan.FromHours(12);

    /// <summary>A check-in this long after the previous one starts a new episode (a new first time).</summary>
    public TimeSpan CheckinEpisode { get; init; } = TimeSpan.FromHours(72);

    /// <summary>Where the QR code points: the resident's app opens it with the code.</summary>
    public string QrBaseUri { get; init; } = "https://mykey.example.jp/tv/pair?code=";

    public IEnumerable<string> Municipalities => MunicipalityClients.Keys;

    /// <summary>The municipalities whose staff client this is (an <c>admin</c> client has all).</summary>
    public IReadOnlySet<string> MunicipalitiesOf(ServiceClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.Roles.Contains(ServiceRoles.Admin)
            ? MunicipalityClients.Keys.ToHashSet(StringComparer.Ordinal)
            : MunicipalityClients.Where(m => m.Value.Contains(client.ClientId)).Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>403 <c>forbidden</c> unless the client is staff of the municipality.</summary>
    public void RequireStaffOf(ServiceClient client, string municipalityCode)
    {
        if (!MunicipalitiesOf(client).Contains(municipalityCode))
        {
            throw new ServiceException(ErrorCodes.Forbidden, "This client is not staff of that municipality (Disaster:Municipalities:<code>:Clients).");
        }
    }

    /// <summary>The configured municipality; 422 <c>unknown_municipality</c> otherwise.</summary>
    public string RequireMunicipality(string? code) =>
        code is not null && MunicipalityClients.ContainsKey(code)
            ? code
            : throw new ServiceException(ErrorCodes.UnknownMunicipality, "The municipality does not take part in disaster prevention (Disaster:Municipalities).");
}
