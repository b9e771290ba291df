using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// A request naming many TVs looks their links up with one range query of the platform's TV rows (not a read per
/// TV): it still accepts exactly the platform's linked TVs, and counts an unlinked TV and one never paired as unknown.
/// </summary>
public sealed class IngestLookupTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private readonly FanOutHarness _app = new(azurite);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Many_tvs_of_a_request_are_looked_up_at_once_and_only_linked_ones_accepted()
    {
        var (_, tvs) = await _app.PairTvsAsync(40);
        await _app.Services.GetRequiredService<TvPairingService>().UnlinkAsync(FanOutHarness.Platform, tvs[7], _app.Holders[tvs[7]]);
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var events = tvs.Append(tvs[0] + "-never-paired").Select((tv, i) => new TvEventInput("e-" + i, tv, TvEventTypes.PowerOn, at)).ToList();

        // Nothing is cached for these TVs (pairing and unlinking forget them): 41 lookups, so the range query.
        var accepted = await _app.Services.GetRequiredService<OperationLogService>().IngestAsync(FanOutHarness.Platform, new TvEventBatch(events));

        Assert.Equal(new TvEventsAccepted(39, 0, 2), accepted);
    }
}
