using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Azure.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Auth;

/// <summary>Inbound webhooks are taken once within their 5-minute window (issue #17 item 12), on real Azurite.</summary>
public sealed class WebhookReplayTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Secret = "tv-platform-secret-0123";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));

    private TableWebhookReplayGuard Guard() => new(new TableServiceClient(azurite.ConnectionString));

    private WebhookAuthenticator Webhooks() => new([new WebhookSourceRegistration("tv", Secret)], _clock, Guard());

    private static byte[] NewBody() => Encoding.UTF8.GetBytes($"{{\"eventId\":\"{Guid.NewGuid():N}\"}}");

    [Fact]
    public async Task The_same_signed_request_is_taken_once_even_when_sent_concurrently()
    {
        var body = NewBody();
        var header = WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes(Secret), _clock.GetUtcNow(), body);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            try
            {
                await Webhooks().VerifyOnceAsync("tv", header, body);
                return "taken";
            }
            catch (ServiceException ex)
            {
                return ex.Error.Code;
            }
        }));

        Assert.Equal(1, outcomes.Count(o => o == "taken"));
        Assert.All(outcomes.Where(o => o != "taken"), o => Assert.Equal("webhook_replayed", o));
    }

    [Fact]
    public async Task The_same_body_signed_again_at_another_time_is_taken()
    {
        var body = NewBody();
        var webhooks = Webhooks();
        await webhooks.VerifyOnceAsync("tv", WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes(Secret), _clock.GetUtcNow(), body), body);

        await webhooks.VerifyOnceAsync("tv", WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes(Secret), _clock.GetUtcNow().AddSeconds(1), body), body);
    }

    [Fact]
    public async Task A_request_with_a_wrong_signature_is_unauthenticated_and_records_nothing()
    {
        var body = NewBody();
        var wrong = WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes("another-secret-0123456789"), _clock.GetUtcNow(), body);

        var error = await Assert.ThrowsAsync<ServiceException>(() => Webhooks().VerifyOnceAsync("tv", wrong, body));

        Assert.Same(ErrorCodes.Unauthenticated, error.Error);
    }

    [Fact]
    public async Task The_clean_up_deletes_signatures_past_their_window_only()
    {
        var guard = Guard();
        string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var (old, recent) = (NewId(), NewId());
        var now = _clock.GetUtcNow();
        Assert.True(await guard.TryRecordAsync(old, now.AddMinutes(-1)));
        Assert.True(await guard.TryRecordAsync(recent, now.AddMinutes(6)));

        Assert.True(await guard.DeleteExpiredAsync(now, 10_000) >= 1);

        Assert.True(await guard.TryRecordAsync(old, now.AddMinutes(6))); // gone: it could not be accepted any more anyway
        Assert.False(await guard.TryRecordAsync(recent, now.AddMinutes(6)));
    }
}
