using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.DevHost;
using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>
/// The real app in a DevHost on a free loopback port, on the shared test Azurite, with its own
/// data folder (local keys). Tests talk to it over real HTTP.
/// </summary>
public class DevHostFixture : IAsyncLifetime
{
    private const string LocalKeyPathSetting = "Keys:LocalPath";

    /// <summary>
    /// What this test process writes to disk: the shared keys and every host's data folder. A new name for each process (a
    /// folder named by the process id was met again by a later process with the same id, keys and all: ids are reused),
    /// deleted when the process ends.
    /// </summary>
    private static readonly string RunFolder = CreateRunFolder();

    /// <summary>The local keys of every host this test process starts (a test may still pass its own <c>Keys:LocalPath</c>).</summary>
    private static readonly string SharedKeysPath = Path.Combine(RunFolder, "keys");

    private readonly string _dataPath = NewDataPath("host");

    /// <summary>A new data folder for a host a test starts itself; it goes with the process's run folder.</summary>
    public static string NewDataPath(string purpose) => Path.Combine(RunFolder, purpose + "-" + Guid.NewGuid().ToString("N")[..8]);

    private static string CreateRunFolder()
    {
        var folder = Directory.CreateTempSubdirectory("smk-e2e-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Something still holds a file: the folder stays in the temp folder, as before.
            }
        };
        return folder;
    }

    public DevHostApp Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The development PKI the DevHost created and trusts (Development).</summary>
    public DevelopmentPki Pki => DevelopmentPki.LoadOrCreate(Path.Combine(_dataPath, "pki"));

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);

    /// <summary>Issues a new virtual card, logs in with it over HTTP, and returns the new MyKey ID.</summary>
    public async Task<string> NewCitizenAsync() =>
        (await NewCardholderAsync(new CardHolder("山田　花子", "東京都千代田区霞が関2-1-2", new DateOnly(1990, 4, 1), "female"))).MyKeyId;

    /// <summary>Issues a virtual card to <paramref name="holder"/>, logs in with it, and returns the MyKey ID and the card (for signing).</summary>
    public async Task<(string MyKeyId, VirtualCard Card)> NewCardholderAsync(CardHolder holder)
    {
        var card = IssueCard(holder);
        return (await LoginAsync(card), card);
    }

    /// <summary>Logs in with the card over HTTP (again, for a test that moved the app's clock past its token's lifetime); returns the MyKey ID.</summary>
    public async Task<string> LoginAsync(VirtualCard card)
    {
        var session = await new MyKeyApiClient(Http).LoginAsync(card);
        var myKeyId = session.GetProperty("myKeyId").GetString()!;
        _tokens[myKeyId] = session.GetProperty("accessToken").GetString()!;
        return myKeyId;
    }

    /// <summary>Issues the virtual card of <see cref="NewCardholderAsync"/> (a fixture may lend it shared keys).</summary>
    protected virtual VirtualCard IssueCard(CardHolder holder) => Pki.IssueCard(holder);

    /// <summary>
    /// <paramref name="count"/> citizens logged in over HTTP, each with its own authentication
    /// certificate (so its own MyKey ID) on one shared key: many people without a key pair each.
    /// </summary>
    public async Task<string[]> NewCitizensAsync(int count)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var certificates = Pki.IssueAuthenticationCertificates(key, count);
        var client = new MyKeyApiClient(Http);
        return await Task.WhenAll(certificates.Select(async certificate =>
        {
            var (challengeId, challenge) = await client.CreateChallengeAsync();
            var signature = key.SignData(challenge, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var response = await Http.PostAsJsonAsync("api/auth/sessions", new { challengeId, certificate = Convert.ToBase64String(certificate), signature = Convert.ToBase64String(signature) });
            response.EnsureSuccessStatusCode();
            var session = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            var myKeyId = session.GetProperty("myKeyId").GetString()!;
            _tokens[myKeyId] = session.GetProperty("accessToken").GetString()!;
            return myKeyId;
        }));
    }

    /// <summary>Sends a request with an optional JSON body, API key, the access token of a citizen (by MyKey ID) and Idempotency-Key.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? apiKey = null, string? bearerFor = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        if (bearerFor is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + AccessToken(bearerFor));
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>The access token of a citizen created by <see cref="NewCitizenAsync"/>.</summary>
    public string AccessToken(string myKeyId) => _tokens[myKeyId];

    /// <param name="configureServices">Registrations added after the app's own (tests replace a service this way).</param>
    /// <param name="durableHubName">The Durable task hub; a new one by default, the same one to restart a host.</param>
    /// <param name="enableTimers">Whether the app's timer triggers run (see <see cref="TimersEnabled"/>).</param>
    public static Task<DevHostApp> StartAsync(string storageConnectionString, string dataPath, IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? configureServices = null, string? durableHubName = null, bool enableTimers = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storageConnectionString,
            ["urls"] = "http://127.0.0.1:0",
            ["DevHost:DataPath"] = dataPath,

            // One key set for the one shared Azurite, as one Key Vault serves one storage account: rows one host
            // wraps with a local key (the cardholder-identity HMAC key in MyKeyIds, data keys) must unwrap in the others.
            [LocalKeyPathSetting] = SharedKeysPath,

            // Each host its own chunk queue: hosts that share Azurite must not take each other's work.
            ["Certificates:StatusJobQueue"] = AzuriteServer.UniqueName("status-chunks-"),

            // Every test logs in from 127.0.0.1: the per-address limits have their own tests (RateLimitTests).
            ["RateLimits:Enabled"] = "false",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var options = ServerlessMyKeyDevHost.Options(settings);
        return DevHostApp.StartAsync(options with
        {
            ConfigureServices = (services, configuration) =>
            {
                options.ConfigureServices!(services, configuration);
                configureServices?.Invoke(services);
            },
            DurableHubName = durableHubName ?? AzuriteServer.UniqueName("e2e"),
            EnableTimers = enableTimers,
            ConfigureLogging = logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning),
        });
    }

    public virtual async Task InitializeAsync()
    {
        Host = await StartAsync(await StorageConnectionStringAsync(), _dataPath, Settings(), ConfigureServices, enableTimers: TimersEnabled);
        Http = new HttpClient { BaseAddress = Host.BaseAddress };
    }

    /// <summary>The storage the app uses: the shared test Azurite unless a derived fixture puts something in front.</summary>
    protected virtual Task<string> StorageConnectionStringAsync() => AzuriteServer.GetConnectionStringAsync();

    /// <summary>
    /// Whether the app's timer triggers run. A fixture whose clock a test moves turns them off: every host reads and
    /// writes the same tables of the shared Azurite, and a clean-up or points timer that fired while one host's clock
    /// stood days ahead would act on every other host's rows (delete their login challenges and stored idempotency
    /// responses, assign or expire their points) in the middle of their tests.
    /// </summary>
    protected virtual bool TimersEnabled => true;

    /// <summary>Settings a derived fixture adds to the app's.</summary>
    protected virtual IReadOnlyDictionary<string, string?>? Settings() => null;

    /// <summary>Registrations a derived fixture adds after the app's own.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
