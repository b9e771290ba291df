using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Azure.Tests.Http;

/// <summary>
/// The outbound webhook clients as the app registers them: a 3xx is a failed delivery (never followed),
/// and outside Development a private or loopback target is refused before connecting.
/// </summary>
public sealed class OutboundWebhookTests : IDisposable
{
    private const string Secret = "outbound-webhook-secret-0000000000";
    private readonly Receiver _elsewhere = new(HttpStatusCode.NoContent, location: null);
    private readonly Receiver _redirecting;

    public OutboundWebhookTests() => _redirecting = new Receiver(HttpStatusCode.TemporaryRedirect, _elsewhere.Url);

    public void Dispose()
    {
        _redirecting.Dispose();
        _elsewhere.Dispose();
    }

    [Fact]
    public async Task A_client_webhook_that_redirects_is_a_failed_delivery_and_the_body_goes_nowhere_else()
    {
        var webhooks = ClientWebhooksFor(_redirecting.Url, development: true);

        await Assert.ThrowsAsync<HttpRequestException>(() => webhooks.PostAsync("client-a", "{}"u8.ToArray()));

        Assert.Equal(1, _redirecting.Count);
        Assert.Equal(0, _elsewhere.Count);
    }

    [Fact]
    public async Task The_delegator_webhook_client_does_not_follow_a_redirect()
    {
        var client = Services(new() { ["Delegation:DelegatorWebhook:Url"] = _redirecting.Url, ["Delegation:DelegatorWebhook:Secret"] = Secret }, development: true,
            (services, configuration) => services.AddDelegation(configuration)).GetRequiredService<DelegatorWebhookClient>();

        using var response = await client.Http.PostAsync(new Uri(_redirecting.Url), new ByteArrayContent("{}"u8.ToArray()));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(0, _elsewhere.Count);
    }

    [Fact]
    public async Task Outside_development_a_loopback_webhook_is_refused_before_connecting()
    {
        var webhooks = ClientWebhooksFor(_elsewhere.Url.Replace("http://", "https://", StringComparison.Ordinal), development: false);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => webhooks.PostAsync("client-a", "{}"u8.ToArray()));

        Assert.Contains("non-public", refused.Message + refused.InnerException?.Message, StringComparison.Ordinal);
        Assert.Equal(0, _elsewhere.Connections);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.20.0.1", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("20.43.1.1", false)]
    [InlineData("2001:4860:4860::8888", false)]
    public void Non_public_addresses_are_recognised(string address, bool nonPublic) =>
        Assert.Equal(nonPublic, ServerlessMyKey.Azure.Http.OutboundHttp.IsNonPublic(IPAddress.Parse(address)));

    private static ClientWebhooks ClientWebhooksFor(string url, bool development) =>
        Services(new() { ["Clients:client-a:WebhookUrl"] = url, ["Clients:client-a:WebhookSecret"] = Secret }, development,
            (services, configuration) => services.AddCertificateWatches(configuration)).GetRequiredService<ClientWebhooks>();

    private static ServiceProvider Services(Dictionary<string, string?> settings, bool development, Action<IServiceCollection, IConfiguration> add)
    {
        settings["AZURE_FUNCTIONS_ENVIRONMENT"] = development ? "Development" : "Production";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        add(services, configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>A loopback receiver that answers every request with one status (and Location), counting connections and requests.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly HttpStatusCode _status;
        private readonly string? _location;
        private int _count;
        private int _connections;

        public Receiver(HttpStatusCode status, string? location)
        {
            _status = status;
            _location = location;
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook";
            _ = Task.Run(AcceptAsync);
        }

        public string Url { get; }

        public int Count => Volatile.Read(ref _count);

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose() => _listener.Stop();

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                Interlocked.Increment(ref _connections);
                _ = Task.Run(() => AnswerAsync(client));
            }
        }

        private async Task AnswerAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, leaveOpen: true);
                var length = 0;
                string? line;
                while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
                {
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                if (line is null)
                {
                    return;
                }

                var body = new char[length];
                await reader.ReadBlockAsync(body, 0, length);
                Interlocked.Increment(ref _count);
                var location = _location is null ? string.Empty : $"Location: {_location}\r\n";
                var answer = System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {(int)_status} X\r\n{location}Content-Length: 0\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(answer);
            }
        }
    }
}
