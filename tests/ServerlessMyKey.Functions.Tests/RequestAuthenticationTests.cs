using System.Text;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using ServerlessMyKey.Azure.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.Functions.Tests;

public sealed class RequestAuthenticationTests
{
    private const string Key = "insurer-key-0123456789abcdefgh";
    private readonly ServiceClientAuthenticator _clients = new([new ServiceClientRegistration("insurer-1", Key, ["certificates.status"])]);

    private static async Task<WebhookAuthenticator> WebhooksAsync() => new(
        [new WebhookSourceRegistration("tv", "tv-platform-secret-0123")],
        TimeProvider.System,
        new TableWebhookReplayGuard(new TableServiceClient(await AzuriteServer.GetConnectionStringAsync())));

    private static HttpRequest Request(byte[]? body = null, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body ?? []);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context.Request;
    }

    [Fact]
    public void Api_key_header_identifies_the_client()
    {
        Assert.Equal("insurer-1", _clients.RequireServiceClient(Request(headers: ("x-api-key", Key)), "certificates.status").ClientId);
    }

    [Fact]
    public void Missing_api_key_header_is_unauthenticated()
    {
        Assert.Same(ErrorCodes.Unauthenticated, Assert.Throws<ServiceException>(() => _clients.RequireServiceClient(Request(), "certificates.status")).Error);
    }

    [Fact]
    public void Api_key_without_the_role_is_forbidden()
    {
        Assert.Same(ErrorCodes.Forbidden, Assert.Throws<ServiceException>(() => _clients.RequireServiceClient(Request(headers: ("x-api-key", Key)), "points.debit")).Error);
    }

    [Fact]
    public async Task Signed_webhook_body_is_returned_verified()
    {
        var body = Encoding.UTF8.GetBytes("{\"viewer\":\"tv-1\"}");
        var header = WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes("tv-platform-secret-0123"), DateTimeOffset.UtcNow, body);

        var webhooks = await WebhooksAsync();

        Assert.Equal(body, await webhooks.ReadVerifiedWebhookAsync(Request(body, ("x-mykey-signature", header)), "tv"));
        var replay = await Assert.ThrowsAsync<ServiceException>(() => webhooks.ReadVerifiedWebhookAsync(Request(body, ("x-mykey-signature", header)), "tv"));
        Assert.Same(ErrorCodes.WebhookReplayed, replay.Error);
    }

    [Fact]
    public async Task Unsigned_webhook_is_unauthenticated()
    {
        var webhooks = await WebhooksAsync();
        var error = await Assert.ThrowsAsync<ServiceException>(() => webhooks.ReadVerifiedWebhookAsync(Request("{}"u8.ToArray()), "tv"));

        Assert.Same(ErrorCodes.Unauthenticated, error.Error);
    }
}
