using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// The alert index by CAP identity (sender, identifier, sent) on real Azurite: senders are free text, so odd ones —
/// characters Table keys forbid, control characters, unpaired surrogates, Unicode, 4,096 characters — must each get
/// a key of their own that Table Storage takes, and no two identities may share one.
/// </summary>
public sealed class CapIdentityTests : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private static readonly DateTimeOffset Sent = new(2026, 11, 29, 10, 0, 0, TimeSpan.FromHours(9));
    private readonly TemporaryDirectory _keys = new();
    private readonly ServiceProvider _services;

    public CapIdentityTests(AzuriteFixture azurite) =>
        _services = DisasterTestServices.Build(azurite, new global::Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString),
            new Dictionary<string, string?> { ["Keys:LocalPath"] = _keys.Path }, "Cap");

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _keys.Dispose();
    }

    private IAlertStore Alerts => _services.GetRequiredService<IAlertStore>();

    [Fact]
    public async Task Odd_senders_each_index_their_own_alert()
    {
        string[] senders =
        [
            "a/b", "a\\b", "a#b", "a?b", "気象庁@防災.jp", "\U0001F30A@tsunami", new string('s', 4096),
            "a\u0001b", "a\u007Fb", "a\u0085b", "\uD800", "\uDC00", "\uFFFD", string.Empty,
        ];
        var ids = senders.Select((_, i) => "a-" + i.ToString("x24", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        for (var i = 0; i < senders.Length; i++)
        {
            Assert.True(await Alerts.TryIndexCapAsync(Alert(ids[i], senders[i], "ID-1")), $"sender {i} collided");
        }

        for (var i = 0; i < senders.Length; i++)
        {
            Assert.Equal(ids[i], await Alerts.FindAlertIdByCapAsync(senders[i], "ID-1", Sent));
        }
    }

    [Fact]
    public async Task A_sender_and_identifier_that_concatenate_alike_are_two_alerts()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        Assert.True(await Alerts.TryIndexCapAsync(Alert("a-" + new string('1', 24), run + "\nx", "y")));
        Assert.True(await Alerts.TryIndexCapAsync(Alert("a-" + new string('2', 24), run, "x\ny")));

        Assert.Equal("a-" + new string('2', 24), await Alerts.FindAlertIdByCapAsync(run, "x\ny", Sent));
    }

    [Fact]
    public async Task The_same_instant_in_another_offset_is_the_same_alert()
    {
        var sender = "offset-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(await Alerts.TryIndexCapAsync(Alert("a-" + new string('3', 24), sender, "ID-2")));

        Assert.False(await Alerts.TryIndexCapAsync(Alert("a-" + new string('4', 24), sender, "ID-2") with { Sent = Sent.ToUniversalTime() }));
    }

    private static DisasterAlert Alert(string alertId, string sender, string identifier) =>
        new(alertId, identifier, sender, Sent, "Actual", "Alert", [], [], [], null, [], null, false, AlertStates.Stored, 0, "cap-test", Sent, []);
}
