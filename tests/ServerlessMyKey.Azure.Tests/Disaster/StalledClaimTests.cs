using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// A claim or an unlink that stalls for longer than its one-minute hold of the TV (<see cref="PausingRegistry"/> stops it
/// just before it writes the index rows; the app's clock, a fake one, then passes the hold), while a later request of the
/// resident takes the TV and finishes: the stalled request, let go, writes none of its index rows over the later
/// request's — neither removes the later link's rows nor brings back rows the later request removed — and is
/// <c>409 conflict</c>. Real Azurite tables.
/// </summary>
public sealed class StalledClaimTests : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private static readonly string[] Municipalities = ["363880", "015628"];
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly TvClaimHarness _harness;

    public StalledClaimTests(AzuriteFixture azurite) => _harness = new TvClaimHarness(azurite, "Stall", Municipalities, _clock);

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private TvPairingService Pairings => _harness.Pairings;

    private IDisasterRegistry Registry => _harness.Registry;

    [Fact]
    public async Task A_claim_stalled_past_its_hold_leaves_the_unlink_that_came_after_it_whole()
    {
        var (tv, resident) = NewTvAndResident();
        await ClaimAsync(tv, resident, Municipalities[0]);
        var (claiming, pause) = Paused(nameof(IDisasterRegistry.CompleteTvClaimAsync));
        var code = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), _harness.Platform);
        var stalled = claiming.ClaimAsync(code.PairingCode, Claim(Municipalities[1]), resident);
        await pause.Reached; // the claim holds the TV (moving it to the second municipality) and has written no index row yet

        _clock.Advance(TimeSpan.FromSeconds(61));
        await Pairings.UnlinkAsync(tv.PlatformId, tv.TvId, resident);
        pause.Release();

        var error = await Record.ExceptionAsync(() => stalled);
        Assert.Null(await Registry.FindTvAsync(tv));
        Assert.Empty(await Registry.ListTvsOfResidentAsync(resident.MyKeyId));
        foreach (var municipality in Municipalities)
        {
            Assert.DoesNotContain(await Registry.ListTvsAsync(municipality), t => t.Key == tv);
        }

        Assert.Equal(ErrorCodes.Conflict.Code, Assert.IsType<ServiceException>(error).Error.Code);
    }

    [Fact]
    public async Task An_unlink_stalled_past_its_hold_removes_nothing_of_the_claim_that_came_after_it()
    {
        var (tv, resident) = NewTvAndResident();
        await ClaimAsync(tv, resident, Municipalities[0]);
        var (unlinking, pause) = Paused(nameof(IDisasterRegistry.CompleteTvUnlinkAsync));
        var stalled = unlinking.UnlinkAsync(tv.PlatformId, tv.TvId, resident);
        await pause.Reached; // the unlink holds the TV and has removed no index row yet

        _clock.Advance(TimeSpan.FromSeconds(61));
        await ClaimAsync(tv, resident, Municipalities[1]);
        pause.Release();

        var error = await Record.ExceptionAsync(() => stalled);
        Assert.Equal(Municipalities[1], (await Registry.FindTvAsync(tv))?.MunicipalityCode);
        var mine = Assert.Single(await Registry.ListTvsOfResidentAsync(resident.MyKeyId));
        Assert.Equal((tv, Municipalities[1]), (mine.Key, mine.MunicipalityCode));
        Assert.Contains(await Registry.ListTvsAsync(Municipalities[1]), t => t.Key == tv);
        Assert.DoesNotContain(await Registry.ListTvsAsync(Municipalities[0]), t => t.Key == tv);
        Assert.Equal(ErrorCodes.Conflict.Code, Assert.IsType<ServiceException>(error).Error.Code);
    }

    [Fact]
    public async Task A_claim_stalled_past_its_hold_does_not_write_the_resident_back_into_the_municipality_they_left()
    {
        var (tv, resident) = NewTvAndResident();
        await ClaimAsync(tv, resident, Municipalities[0]);
        var (claiming, pause) = Paused(nameof(IDisasterRegistry.SaveResidentAsync));
        var code = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), _harness.Platform);
        var stalled = claiming.ClaimAsync(code.PairingCode, Claim(Municipalities[0]), resident);
        await pause.Reached; // the claim holds the TV (staying in the first municipality) and has written no resident row yet

        _clock.Advance(TimeSpan.FromSeconds(61));
        await ClaimAsync(tv, resident, Municipalities[1]); // the resident moved with the TV meanwhile
        pause.Release();

        var error = await Record.ExceptionAsync(() => stalled);
        Assert.Equal(Municipalities[1], (await Registry.FindResidentByMyKeyIdAsync(resident.MyKeyId))?.MunicipalityCode);
        Assert.DoesNotContain(await Registry.ListResidentsAsync(Municipalities[0]), r => r.MyKeyId == resident.MyKeyId);
        Assert.Contains(await Registry.ListResidentsAsync(Municipalities[1]), r => r.MyKeyId == resident.MyKeyId);
        Assert.Equal(ErrorCodes.Conflict.Code, Assert.IsType<ServiceException>(error).Error.Code);
    }

    [Fact]
    public async Task A_claim_stalled_past_its_hold_but_not_overtaken_finishes()
    {
        var (tv, resident) = NewTvAndResident();
        var (claiming, pause) = Paused(nameof(IDisasterRegistry.CompleteTvClaimAsync));
        var code = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), _harness.Platform);
        var stalled = claiming.ClaimAsync(code.PairingCode, Claim(Municipalities[0]), resident);
        await pause.Reached;

        _clock.Advance(TimeSpan.FromSeconds(61));
        pause.Release();
        await stalled;

        Assert.Equal(tv, Assert.Single(await Registry.ListTvsOfResidentAsync(resident.MyKeyId)).Key);
        Assert.Contains(await Registry.ListTvsAsync(Municipalities[0]), t => t.Key == tv);
    }

    private (TvPairingService Service, PausingRegistry Pause) Paused(string method) => _harness.Paused(method);

    private (TvKey Tv, Citizen Resident) NewTvAndResident() => _harness.NewTvAndResident();

    private Task ClaimAsync(TvKey tv, Citizen resident, string municipality) => _harness.ClaimAsync(tv, resident, Claim(municipality));

    private static PairingClaim Claim(string municipality) => new(new ResidentDetails("遅延　太郎", "チエン　タロウ", municipality, "d-stall"), null);
}
