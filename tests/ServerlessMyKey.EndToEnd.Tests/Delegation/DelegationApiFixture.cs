using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Core.Json;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>The real app in a DevHost with a relying party holding <c>delegations.verify</c>; delegators and delegates sign with virtual cards.</summary>
public class DelegationApiFixture : DevHostFixture, IDisposable
{
    public const string VerifierKey = "e2e-procurement-portal-key-00000";
    public const string NoRoleKey = "e2e-no-delegation-role-key-00000";
    public const string RecipientKey = "e2e-city-hall-recipient-key-0000";
    public const string Recipient = "city-hall";

    public static readonly CardHolder Representative = new("鈴木　一郎", "東京都港区芝公園4-2-8", new DateOnly(1965, 7, 7), "male");
    public static readonly CardHolder Agent = new("山田　花子", "東京都千代田区霞が関2-1-2", new DateOnly(1990, 4, 1), "female");

    public const string WebhookSecret = "e2e-delegator-webhook-secret-000";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>The app's clock (a test that moves it puts it back; the tests of a class run one at a time).</summary>
    public Medical.ShiftedClock Clock { get; } = new();

    /// <summary>The delegators' webhook endpoint: every request it received, as (signature header, body).</summary>
    public WebhookReceiver Webhooks { get; } = new();

    public virtual void Dispose() => Webhooks.Dispose();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    /// <summary>Off: a test moves <see cref="Clock"/> (<see cref="DevHostFixture.TimersEnabled"/>).</summary>
    protected override bool TimersEnabled => false;

    /// <summary>A new representative registers a delegation to a new agent, who accepts it.</summary>
    public async Task<ActiveDelegation> ActiveDelegationAsync(bool subDelegationAllowed = false)
    {
        var (_, representative) = await NewCardholderAsync(Representative);
        var (agentId, agent) = await NewCardholderAsync(Agent);
        var document = Document(agentId);
        document["subDelegationAllowed"] = subDelegationAllowed;
        var created = await (await SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = Signed(representative, document) }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("delegationId").GetString()!;
        var accepted = await SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance", new { signature = Signed(agent, new { action = "accept", delegationId = id }) }, bearerFor: agentId);
        accepted.EnsureSuccessStatusCode();
        return new ActiveDelegation(representative, agentId, agent, id);
    }

    /// <summary><c>{certificate, signature}</c> of <paramref name="card"/>'s signing key over the JCS form of <paramref name="value"/>.</summary>
    public static object Signed(VirtualCard card, object value) => Sign(card, JsonCanonicalizer.Serialize(value, Web));

    public static object Sign(VirtualCard card, byte[] data) => new
    {
        certificate = Convert.ToBase64String(card.SigningCertificate.RawData),
        signature = Convert.ToBase64String(card.SignWithSigningKey(data)),
    };

    /// <summary>A valid document for <paramref name="delegateMyKeyId"/>, open for a year from yesterday.</summary>
    public static Dictionary<string, object?> Document(string delegateMyKeyId, string representativeName = "鈴木　一郎", string delegateName = "山田　花子") => new()
    {
        ["delegator"] = new { corporateNumber = "7000012050002", corporationName = "株式会社サンプル", representativeName, representativeTitle = "代表取締役" },
        ["delegate"] = new { name = delegateName, myKeyId = delegateMyKeyId },
        ["powers"] = new[] { new { procedure = "procurement.bid", agency = "総務省" } },
        ["validFrom"] = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["validTo"] = DateTimeOffset.UtcNow.AddYears(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["subDelegationAllowed"] = false,
    };

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Clients:procurement-portal:ApiKey"] = VerifierKey,
        ["Clients:procurement-portal:Roles"] = "delegations.verify",
        ["Clients:no-role:ApiKey"] = NoRoleKey,
        ["Clients:no-role:Roles"] = "points.read",
        ["Clients:city-hall:ApiKey"] = RecipientKey,
        ["Clients:city-hall:Roles"] = "points.read",
        ["Delegation:Recipients:city-hall:Topic"] = "delegation-city-hall",
        ["Delegation:Recipients:tax-office:Topic"] = "delegation-tax-office", // a second known recipient: another valid body
        ["Delegation:DelegatorWebhook:Url"] = Webhooks.Url,
        ["Delegation:DelegatorWebhook:Secret"] = WebhookSecret,
        // Long enough that no acknowledging test races the timer: with 3 s, an ack that reached the orchestration more
        // than 3 s after "sent" (80-410 ms measured at load average 28, so rarely) sent the delegation again as attempt
        // 2 and failed the test's attempts == 1. The ack timeout itself has its own host (TransmissionAckTimeoutTests).
        ["Delegation:AckTimeoutSeconds"] = "600",
        ["Delegation:MaxAttempts"] = "2",
        ["Delegation:RetryBackoffSeconds"] = "0",
    };
}

/// <summary>An accepted delegation and the cards of its two parties.</summary>
public sealed record ActiveDelegation(VirtualCard Representative, string AgentId, VirtualCard Agent, string DelegationId);

/// <summary>
/// A loopback HTTP endpoint that records the webhooks it receives (at <c>/delegator-hook/</c>) and answers 200: the
/// shared <see cref="LoopbackWebhookReceiver"/>, which listens on a port the OS gives it.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly LoopbackWebhookReceiver _receiver = LoopbackWebhookReceiver.Start();

    public string Url => new Uri(_receiver.BaseAddress, "delegator-hook/").ToString();

    public IEnumerable<ReceivedWebhook> Received => _receiver.Received;

    public async Task<(string Signature, byte[] Body)> WaitForAsync(Func<JsonElement, bool> match)
    {
        for (var i = 0; i < 200; i++)
        {
            foreach (var hook in _receiver.Received)
            {
                if (match(JsonDocument.Parse(hook.Body).RootElement))
                {
                    return (hook.Signature, hook.Body);
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("No matching webhook arrived.");
    }

    public void Dispose() => _receiver.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
