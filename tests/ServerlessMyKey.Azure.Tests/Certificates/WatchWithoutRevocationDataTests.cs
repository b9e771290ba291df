using ServerlessMyKey.Core.Certificates.Watches;

namespace ServerlessMyKey.Azure.Tests.Certificates;

/// <summary>No revocation data at all: a watch is still registered (status unknown), and a re-check changes nothing, tells nothing, and looks again next run.</summary>
public sealed class WatchWithoutRevocationDataTests : IAsyncLifetime
{
    private WatchHarness _h = null!;

    public async Task InitializeAsync() => _h = await WatchHarness.StartAsync(withCrls: false);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task The_watch_keeps_its_status_and_stays_due()
    {
        var card = _h.Pki.IssueCard(WatchHarness.Holder);
        var watch = (await _h.RegisterAsync(WatchHarness.Insurer, card.SigningCertificate.RawData)).Watches[0];
        Assert.Equal(("active", "unknown", "revocation_unavailable"), (watch.State, watch.Status, watch.Reason));
        var before = await _h.Store.FindAsync(WatchHarness.Insurer, watch.WatchId);

        var report = await _h.Rechecks.CheckPageAsync(WatchHarness.Insurer, watch.WatchId[0], null);
        Assert.Equal((1, 1, 0), (report.Watches, report.Unavailable, report.Owed));
        var after = await _h.Store.FindAsync(WatchHarness.Insurer, watch.WatchId);
        Assert.Equal(before!.Version, after!.Version);
        Assert.Equal(WatchState.Active, after.State);
        Assert.Empty(_h.Receiver.Received);
    }
}
