using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Security;

public sealed class WebhookAuthenticatorTests
{
    private const string Secret = "mynaportal-secret-0123456789";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"event\":\"evacuation\",\"id\":\"e-1\"}");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    private WebhookAuthenticator Create() => new([new WebhookSourceRegistration("mynaportal", Secret)], _clock);

    private string Header(DateTimeOffset at, string secret = Secret, byte[]? body = null) =>
        WebhookSignature.CreateHeader(Encoding.UTF8.GetBytes(secret), at, body ?? Body);

    [Fact]
    public void Fresh_signature_of_the_raw_body_is_accepted()
    {
        Create().Verify("mynaportal", Header(_clock.GetUtcNow()), Body);
    }

    [Fact]
    public void Header_has_the_documented_shape()
    {
        var header = Header(_clock.GetUtcNow());

        Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", header);
        Assert.StartsWith($"t={_clock.GetUtcNow().ToUnixTimeSeconds()},", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_body_is_refused()
    {
        var tampered = Encoding.UTF8.GetBytes("{\"event\":\"evacuation\",\"id\":\"e-2\"}");
        AssertRefused(() => Create().Verify("mynaportal", Header(_clock.GetUtcNow()), tampered));
    }

    [Fact]
    public void Signature_with_another_secret_is_refused()
    {
        AssertRefused(() => Create().Verify("mynaportal", Header(_clock.GetUtcNow(), "another-secret-0123456789"), Body));
    }

    [Fact]
    public void Signature_older_than_five_minutes_is_refused()
    {
        var header = Header(_clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        AssertRefused(() => Create().Verify("mynaportal", header, Body));
    }

    [Fact]
    public void Signature_at_the_edge_of_the_tolerance_is_accepted()
    {
        var header = Header(_clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMinutes(5));
        Create().Verify("mynaportal", header, Body);
    }

    [Fact]
    public void Signature_from_the_future_beyond_tolerance_is_refused()
    {
        AssertRefused(() => Create().Verify("mynaportal", Header(_clock.GetUtcNow().AddMinutes(6)), Body));
    }

    [Fact]
    public void One_matching_v1_among_several_is_accepted_for_secret_rotation()
    {
        var now = _clock.GetUtcNow();
        var old = Header(now, "old-secret-0123456789abc");
        var current = Header(now);
        Create().Verify("mynaportal", old + "," + current.Split(',')[1], Body);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=notanumber,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1700000000")]
    [InlineData("t=1700000000,v1=zz00000000000000000000000000000000000000000000000000000000000000")]
    public void Malformed_header_is_refused(string? header)
    {
        AssertRefused(() => Create().Verify("mynaportal", header, Body));
    }

    [Fact]
    public void Unknown_source_is_refused()
    {
        AssertRefused(() => Create().Verify("tv-platform", Header(_clock.GetUtcNow()), Body));
    }

    [Fact]
    public void Short_secret_fails_at_start_up_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new WebhookAuthenticator([new WebhookSourceRegistration("tv", "short")], _clock));
        Assert.Contains("Webhooks:tv:Secret", error.Message, StringComparison.Ordinal);
    }

    private static void AssertRefused(Action verify)
    {
        var error = Assert.Throws<ServiceException>(verify);
        Assert.Same(ErrorCodes.Unauthenticated, error.Error);
    }
}
