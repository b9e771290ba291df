using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.EndToEnd.Tests.Oidc;

/// <summary>
/// The real app on a port chosen before it starts, so that <c>Auth:Issuer</c> (the base of every
/// endpoint in the discovery document) is its real URL; two relying parties registered, one with
/// <c>private_key_jwt</c> (a bank) and one with <c>client_secret_basic</c> (電波利用申請), each its own
/// sector; a clock the refusal tests can move forward.
/// </summary>
public class OidcFixture : DevHostFixture
{
    public const string BankClient = "e2e-bank";
    public const string RadioClient = "e2e-radio";
    public const string RadioSecret = "e2e-radio-client-secret-0000000000000000";
    public const string BankKeyId = "bank-key-1";

    private readonly Lazy<ServerlessMyKey.Cli.Pki.VirtualCard> _card;

    public OidcFixture()
    {
        var ports = LoopbackPorts.Free(2);
        Port = ports[0];
        RelyingPartyPort = ports[1];
        _card = new(() => Pki.IssueCard(new ServerlessMyKey.Cli.Pki.CardHolder("高橋　三郎", "福岡県福岡市中央区天神1-8-1", new DateOnly(1969, 7, 7), "male")));
    }

    /// <summary>One virtual card for the tests that need any holder (issuing a card makes two RSA keys).</summary>
    public ServerlessMyKey.Cli.Pki.VirtualCard Card => _card.Value;

    public int Port { get; }

    public int RelyingPartyPort { get; }

    public string Issuer => $"http://127.0.0.1:{Port}/api";

    public string RelyingPartyBase => $"http://127.0.0.1:{RelyingPartyPort}";

    public string BankRedirectUri => RelyingPartyBase + "/signin-bank";

    public string RadioRedirectUri => RelyingPartyBase + "/signin-radio";

    /// <summary>The bank's private key for <c>private_key_jwt</c>; its public half is registered.</summary>
    public RSA BankKey { get; } = RSA.Create(2048);

    /// <summary>Moves the app's clock (the refusal tests age codes with it).</summary>
    public ShiftedTimeProvider Clock { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["urls"] = $"http://127.0.0.1:{Port}",
        ["Auth:Issuer"] = Issuer,
        ["Oidc:SubjectSecret"] = "e2e-pairwise-subject-secret-000000000000000",
        [$"Oidc:Clients:{BankClient}:Name"] = "E2E Bank",
        [$"Oidc:Clients:{BankClient}:RedirectUris"] = BankRedirectUri,
        [$"Oidc:Clients:{BankClient}:Jwks"] = Jwks(BankKey, BankKeyId),
        [$"Oidc:Clients:{RadioClient}:Name"] = "電波利用 電子申請",
        [$"Oidc:Clients:{RadioClient}:RedirectUris"] = RadioRedirectUri,
        [$"Oidc:Clients:{RadioClient}:Secret"] = RadioSecret,
        ["Clients:e2e-tickets:ApiKey"] = TicketKeys.Admin,
        ["Clients:e2e-tickets:Roles"] = "tickets.admin",
        ["Clients:e2e-gate:ApiKey"] = TicketKeys.Gate,
        ["Clients:e2e-gate:Roles"] = "tickets.gate",
        ["Clients:e2e-gate-b:ApiKey"] = TicketKeys.OtherGate,
        ["Clients:e2e-gate-b:Roles"] = "tickets.gate",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    /// <summary>Off: a test moves <see cref="Clock"/> (<see cref="DevHostFixture.TimersEnabled"/>).</summary>
    protected override bool TimersEnabled => false;

    private static string Jwks(RSA key, string kid)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.ExportParameters(false)) { KeyId = kid });
        return JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
    }
}

/// <summary>API keys of the ticket clients.</summary>
public static class TicketKeys
{
    public const string Admin = "e2e-ticket-admin-key-000000000000";
    public const string Gate = "e2e-ticket-gate-key-0000000000000";
    public const string GateClient = "e2e-gate";
    public const string OtherGate = "e2e-ticket-gate-b-key-00000000000";
}

/// <summary>The system clock plus an offset; timers stay real.</summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
