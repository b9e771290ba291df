using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.EndToEnd.Tests.Medical;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Disaster;

/// <summary>
/// The real app in a DevHost with two TV platforms (<c>tv-aqua</c> and <c>tv-beni</c>, their webhooks one loopback receiver), the
/// staff of 美波町 (363880) and 西興部村 (015628) (the town's webhook another receiver), a shelter
/// terminal; retries after 1 s, 3 attempts; the watching timer only in <see cref="DisasterWatchingFixture"/>. 牟岐町 (363871) takes part too,
/// with 西興部村's staff, for residents who move. The app's clock is <see cref="Clock"/> (a test that shifts it puts it back).
/// </summary>
public class DisasterApiFixture : DevHostFixture, IDisposable
{
    public const string Platform = "tv-aqua";
    public const string PlatformKey = "e2e-tv-aqua-platform-key-00000000";
    public const string PlatformHookSecret = "e2e-tv-aqua-outbound-secret-0123456789abcdef";
    public const string PlatformEventSecret = "e2e-tv-aqua-events-secret-0123456789";
    public const string MynaportalSecret = "e2e-mynaportal-webhook-secret-0123456789";
    public const string OtherPlatform = "tv-beni";
    public const string OtherPlatformKey = "e2e-tv-beni-platform-key-00000000";
    public const string OtherPlatformEventSecret = "e2e-tv-beni-events-secret-0123456789";
    public const string MinamiKey = "e2e-minami-staff-key-0000000000000";
    public const string NishiokoppeKey = "e2e-nishiokoppe-staff-key-000000000";
    public const string MugiKey = "e2e-mugi-staff-key-00000000000000000";
    public const string ShelterKey = "e2e-minami-shelter-key-00000000000";
    public const string CitySecret = "e2e-city-webhook-secret-0123456789abcdef";
    public const string Minami = "363880";
    public const string Nishiokoppe = "015628";
    public const string Mugi = "363871";

    public ShiftedClock Clock { get; } = new();

    /// <summary>The MyKey ID of the resident a test paired last (tests of one class run one at a time).</summary>
    public string? LastMyKeyId { get; set; }

    /// <summary>The TV platform's webhook (alerts to TVs).</summary>
    public LoopbackWebhookReceiver Tvs { get; } = LoopbackWebhookReceiver.Start();

    /// <summary>The municipalities' webhook (watching alerts).</summary>
    public LoopbackWebhookReceiver Cities { get; } = LoopbackWebhookReceiver.Start();

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        [$"Clients:{Platform}:ApiKey"] = PlatformKey,
        [$"Clients:{Platform}:Roles"] = "tv.platform",
        [$"Clients:{Platform}:WebhookUrl"] = new Uri(Tvs.BaseAddress, "hooks/tv-aqua").ToString(),
        [$"Clients:{Platform}:WebhookSecret"] = PlatformHookSecret,
        [$"Webhooks:{Platform}:Secret"] = PlatformEventSecret,
        ["Webhooks:mynaportal:Secret"] = MynaportalSecret,
        [$"Clients:{OtherPlatform}:ApiKey"] = OtherPlatformKey,
        [$"Clients:{OtherPlatform}:Roles"] = "tv.platform",
        [$"Clients:{OtherPlatform}:WebhookUrl"] = new Uri(Tvs.BaseAddress, "hooks/tv-beni").ToString(),
        [$"Clients:{OtherPlatform}:WebhookSecret"] = PlatformHookSecret,
        [$"Webhooks:{OtherPlatform}:Secret"] = OtherPlatformEventSecret,
        ["Clients:minami-staff:ApiKey"] = MinamiKey,
        ["Clients:minami-staff:Roles"] = "disaster.admin",
        ["Clients:minami-staff:WebhookUrl"] = new Uri(Cities.BaseAddress, "hooks/minami").ToString(),
        ["Clients:minami-staff:WebhookSecret"] = CitySecret,
        ["Clients:nishiokoppe-staff:ApiKey"] = NishiokoppeKey,
        ["Clients:nishiokoppe-staff:Roles"] = "disaster.admin",
        ["Clients:nishiokoppe-staff:WebhookUrl"] = new Uri(Cities.BaseAddress, "hooks/nishiokoppe").ToString(),
        ["Clients:nishiokoppe-staff:WebhookSecret"] = CitySecret,
        ["Clients:minami-shelter:ApiKey"] = ShelterKey,
        ["Clients:minami-shelter:Roles"] = "disaster.shelter",
        [$"Disaster:Municipalities:{Minami}:Clients"] = "minami-staff",
        [$"Disaster:Municipalities:{Nishiokoppe}:Clients"] = "nishiokoppe-staff",
        ["Clients:mugi-staff:ApiKey"] = MugiKey,
        ["Clients:mugi-staff:Roles"] = "disaster.admin",
        [$"Disaster:Municipalities:{Mugi}:Clients"] = "nishiokoppe-staff,mugi-staff",
        ["Disaster:DeliveryQueue"] = AzuriteServer.UniqueName("e2e-disaster"),
        ["Disaster:RetryBaseSeconds"] = "1",
        ["Disaster:MaxDeliveryAttempts"] = "3",
        ["Disaster:DeliveryBatchSize"] = "2",
        ["Disaster:WatchSchedule"] = WatchSchedule,
    };

    /// <summary>
    /// Every host reads the same tables of the shared Azurite, and the first host whose watching run tells an
    /// episode marks it told: only the watching tests' host watches (January 1st is never reached by a test).
    /// </summary>
    protected virtual string WatchSchedule => NoWatching;

    private const string NoWatching = "0 0 0 1 1 *";

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    /// <summary>
    /// Off: <see cref="TvPairingTests"/> moves the clock 11 minutes ahead, where the clean-up timer deletes every login
    /// challenge, also those other hosts just issued (<see cref="DevHostFixture.TimersEnabled"/>). The watching host's clock never moves.
    /// </summary>
    protected override bool TimersEnabled => WatchSchedule != NoWatching;

    /// <summary>A new card holder logs in and claims a pairing code the platform (<c>tv-aqua</c> unless <paramref name="platformKey"/> says) asked for <paramref name="tvId"/>.</summary>
    public async Task<(string MyKeyId, string ResidentId)> PairAsync(string tvId, string displayName, string furigana, string municipality, string district, bool watching = false, string? myKeyId = null, string platformKey = PlatformKey)
    {
        myKeyId ??= (await NewCardholderAsync(new CardHolder(displayName, "徳島県海部郡美波町奥河内字寺前136-1", new DateOnly(1950, 4, 1), "male"))).MyKeyId;
        using var pairing = await SendAsync(HttpMethod.Post, "/api/tv/pairings", new { tvId }, platformKey);
        var code = (await ResponseAssert.JsonAsync(pairing, HttpStatusCode.Created)).GetProperty("pairingCode").GetString()!;
        using var claimed = await SendAsync(HttpMethod.Post, $"/api/tv/pairings/{code}/claim", new
        {
            resident = new { displayName, furigana, municipalityCode = municipality, districtCode = district, needsAssistance = false },
            consent = new { watching },
        }, bearerFor: myKeyId);
        var body = await ResponseAssert.JsonAsync(claimed, HttpStatusCode.Created);
        Assert.Equal(tvId, body.GetProperty("tvId").GetString());
        return (myKeyId, body.GetProperty("residentId").GetString()!);
    }

    /// <summary>
    /// Moves the app's clock forward to <paramref name="at"/>: a test pairs its TVs now and then lives a later day, since a
    /// TV's events timed before its link tell the municipality nothing. The test puts the clock back (<see cref="ShiftedClock.Offset"/> zero).
    /// </summary>
    public void MoveClockTo(DateTimeOffset at) => Clock.Offset = at - DateTimeOffset.UtcNow;

    /// <summary>The app's time now (<see cref="Clock"/>).</summary>
    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Posts operation-log events as the platform's signed webhook (signed at the app's time: the platform's clock agrees).</summary>
    public async Task<HttpResponseMessage> PostEventsAsync(object body, string? secret = PlatformEventSecret, string platform = Platform)
    {
        var raw = JsonSerializer.SerializeToUtf8Bytes(body, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tv/platforms/{platform}/events") { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (secret is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes(secret), Clock.GetUtcNow(), raw));
        }

        return await Http.SendAsync(request);
    }

    public static object Event(string tvId, string type, DateTimeOffset at, string? alertId = null, string? channel = null) =>
        new { eventId = "ev-" + Guid.NewGuid().ToString("N"), tvId, type, at, alertId, channel };

    /// <summary>Posts a CAP alert as municipality staff.</summary>
    public async Task<HttpResponseMessage> PostAlertAsync(string cap, string apiKey = MinamiKey, string? idempotencyKey = null, string contentType = "application/cap+xml")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/disaster/alerts") { Content = new StringContent(cap, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Add("x-api-key", apiKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>The TV messages received for an alert, once there are <paramref name="count"/> of them.</summary>
    public Task<List<JsonElement>> TvMessagesAsync(string alertId, int count) =>
        Eventually.WaitForAsync(() =>
        {
            var found = Tvs.Received.Select(r => JsonOf(r.Body)).Where(m => m.GetProperty("alertId").GetString() == alertId).ToList();
            return Task.FromResult(found.Count >= count ? found : null);
        }, TimeSpan.FromSeconds(60));

    /// <summary>The alert's status once <paramref name="done"/> holds.</summary>
    public async Task<JsonElement> AlertStatusAsync(string alertId, Func<JsonElement, bool> done, string apiKey = MinamiKey) =>
        (await Eventually.WaitForAsync(async () =>
        {
            using var response = await SendAsync(HttpMethod.Get, $"/api/disaster/alerts/{alertId}", apiKey: apiKey);
            var status = await ResponseAssert.JsonAsync(response, HttpStatusCode.OK);
            return done(status) ? new StrongBox<JsonElement>(status) : null;
        }, TimeSpan.FromSeconds(60))).Value;

    public static DateTimeOffset Jst(DateOnly day, int hour, int minute) => new(day.ToDateTime(new TimeOnly(hour, minute)), TimeSpan.FromHours(9));

    public static DateOnly TodayJst => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static JsonElement JsonOf(byte[] body) => JsonDocument.Parse(body).RootElement;

    public static void AssertSigned(ReceivedWebhook received, string secret)
    {
        var parts = received.Signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = Convert.ToHexStringLower(WebhookSignature.Compute(Encoding.UTF8.GetBytes(secret), long.Parse(parts["t"], CultureInfo.InvariantCulture), received.Body));
        Assert.Equal(expected, parts["v1"]);
    }

    public void Dispose()
    {
        Tvs.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Cities.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

/// <summary>The disaster app whose watching timer runs every 2 seconds (the only one that watches).</summary>
public sealed class DisasterWatchingFixture : DisasterApiFixture
{
    protected override string WatchSchedule => "*/2 * * * * *";
}

/// <summary>
/// Every test class that needs the watching timer shares one <see cref="DisasterWatchingFixture"/>: two hosts
/// watching the same tables would tell the municipality from whichever ran first.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DisasterWatchingCollection : ICollectionFixture<DisasterWatchingFixture>
{
    public const string Name = "Disaster watching DevHost";
}
