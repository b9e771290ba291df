using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// Two claims of the same TV for two municipalities at the same time (two pairing codes the platform asked for,
/// claimed at once): the TV must end in exactly one municipality's registry, the one its own row names, and the
/// resident with it; a claim that loses is <c>409 conflict</c> and leaves nothing behind. Real Azurite tables;
/// the claims run concurrently, many times. And a claim that changes the resident's district takes their other TVs along.
/// Unlinking and the district a claim passes on take the TV's row the same way: a request stopped while it holds a TV
/// (<see cref="PausingRegistry"/>) makes the other request meet its lock, deterministically.
/// </summary>
public sealed class TvClaimTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private const int Rounds = 25;
    private static readonly string[] Municipalities = ["363880", "015628", "363871"];
    private readonly TvClaimHarness _harness = new(azurite, "Race", Municipalities);

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private TvPairingService Pairings => _harness.Pairings;

    private IDisasterRegistry Registry => _harness.Registry;

    private ServiceClient Platform => _harness.Platform;

    [Fact]
    public async Task Two_simultaneous_claims_of_a_new_tv_for_two_municipalities_leave_it_in_one()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (tv, resident) = NewTvAndResident();
            await ClaimConcurrentlyAsync(tv, resident, Municipalities[0], Municipalities[1]);
            await AssertInOneMunicipalityAsync(tv, resident);
        }
    }

    [Fact]
    public async Task Two_simultaneous_claims_moving_a_linked_tv_to_two_municipalities_leave_it_in_one()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (tv, resident) = NewTvAndResident();
            await ClaimAsync(tv, resident, Municipalities[0]);
            await ClaimConcurrentlyAsync(tv, resident, Municipalities[1], Municipalities[2]);
            await AssertInOneMunicipalityAsync(tv, resident);
        }
    }

    [Fact]
    public async Task A_claim_with_a_new_district_takes_the_residents_other_tv_along()
    {
        var (tv, resident) = NewTvAndResident();
        var other = new TvKey(Platform.ClientId, tv.TvId + "-2");
        await ClaimAsync(tv, resident, Municipalities[0]);
        var code = await Pairings.CreatePairingAsync(new PairingRequest(other.TvId), Platform);
        await Pairings.ClaimAsync(code.PairingCode, Claim(Municipalities[0]), resident);

        var moved = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), Platform);
        await Pairings.ClaimAsync(moved.PairingCode, Claim(Municipalities[0]) with { Resident = Claim(Municipalities[0]).Resident with { DistrictCode = "d-moved" } }, resident);

        Assert.Equal("d-moved", (await Registry.FindTvAsync(other))?.DistrictCode);
        Assert.Equal("d-moved", (await Registry.ListTvsAsync(Municipalities[0])).Single(t => t.Key == other).DistrictCode);
    }

    [Fact]
    public async Task An_unlink_while_a_claim_holds_the_tv_is_409_and_removes_nothing()
    {
        var (tv, resident) = NewTvAndResident();
        await ClaimAsync(tv, resident, Municipalities[0]);
        var (claiming, pause) = Paused(nameof(IDisasterRegistry.SaveResidentAsync));
        var code = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), Platform);
        var claim = claiming.ClaimAsync(code.PairingCode, Claim(Municipalities[0], "d-new"), resident);
        await pause.Reached;

        var error = await Assert.ThrowsAsync<ServiceException>(() => Pairings.UnlinkAsync(tv.PlatformId, tv.TvId, resident));

        Assert.Equal(ErrorCodes.Conflict.Code, error.Error.Code);
        pause.Release();
        await claim;
        Assert.Equal("d-new", (await Registry.FindTvAsync(tv))?.DistrictCode);
        Assert.Equal("d-new", (await Registry.ListTvsAsync(Municipalities[0])).Single(t => t.Key == tv).DistrictCode);
        Assert.Equal(tv, Assert.Single(await Registry.ListTvsOfResidentAsync(resident.MyKeyId)).Key);
    }

    [Fact]
    public async Task An_unlink_by_tv_id_alone_while_a_claim_holds_the_tv_is_409_too()
    {
        var (tv, resident) = NewTvAndResident();
        await ClaimAsync(tv, resident, Municipalities[0]);
        var (claiming, pause) = Paused(nameof(IDisasterRegistry.SaveResidentAsync));
        var code = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), Platform);
        var claim = claiming.ClaimAsync(code.PairingCode, Claim(Municipalities[0]), resident);
        await pause.Reached;

        var error = await Assert.ThrowsAsync<ServiceException>(() => Pairings.UnlinkAsync(null, tv.TvId, resident));

        Assert.Equal(ErrorCodes.Conflict.Code, error.Error.Code);
        pause.Release();
        await claim;
        Assert.NotNull(await Registry.FindTvAsync(tv));
        Assert.Contains(await Registry.ListTvsAsync(Municipalities[0]), t => t.Key == tv);
    }

    [Fact]
    public async Task A_claim_while_an_unlink_holds_the_tv_is_409_and_writes_nothing()
    {
        var (tv, resident) = NewTvAndResident();
        await ClaimAsync(tv, resident, Municipalities[0]);
        var (unlinking, pause) = Paused(nameof(IDisasterRegistry.CompleteTvUnlinkAsync));
        var unlink = unlinking.UnlinkAsync(tv.PlatformId, tv.TvId, resident);
        await pause.Reached;
        var code = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), Platform);

        var error = await Assert.ThrowsAsync<ServiceException>(() => Pairings.ClaimAsync(code.PairingCode, Claim(Municipalities[1], "d-new"), resident));

        Assert.Equal(ErrorCodes.Conflict.Code, error.Error.Code);
        Assert.Equal((Municipalities[0], "d-race"), (await Registry.FindResidentByMyKeyIdAsync(resident.MyKeyId)) is { } r ? (r.MunicipalityCode, r.DistrictCode) : default);
        Assert.DoesNotContain(await Registry.ListTvsAsync(Municipalities[1]), t => t.Key == tv);
        pause.Release();
        await unlink;
        Assert.Null(await Registry.FindTvAsync(tv));
        Assert.DoesNotContain(await Registry.ListTvsAsync(Municipalities[0]), t => t.Key == tv);
        Assert.Empty(await Registry.ListTvsOfResidentAsync(resident.MyKeyId));
    }

    [Fact]
    public async Task A_new_district_does_not_bring_back_a_tv_unlinked_while_the_claim_ran()
    {
        var (tv, resident) = NewTvAndResident();
        var other = new TvKey(Platform.ClientId, tv.TvId + "-2");
        await ClaimAsync(tv, resident, Municipalities[0]);
        await ClaimAsync(other, resident, Municipalities[0]);
        var (claiming, pause) = Paused(nameof(IDisasterRegistry.TryHoldTvAsync), args => args[0] is TvKey held && held == other);
        var code = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), Platform);
        var claim = claiming.ClaimAsync(code.PairingCode, Claim(Municipalities[0], "d-moved"), resident);
        await pause.Reached; // the claim listed the other TV and is about to pass the district on

        await Pairings.UnlinkAsync(other.PlatformId, other.TvId, resident);
        pause.Release();
        await claim;

        Assert.Null(await Registry.FindTvAsync(other));
        Assert.DoesNotContain(await Registry.ListTvsAsync(Municipalities[0]), t => t.Key == other);
        Assert.Equal(tv, Assert.Single(await Registry.ListTvsOfResidentAsync(resident.MyKeyId)).Key);
        Assert.Equal("d-moved", (await Registry.FindTvAsync(tv))?.DistrictCode);
    }

    [Fact]
    public async Task A_new_district_meeting_another_claim_of_the_other_tv_is_409_and_its_retry_takes_every_tv_along()
    {
        var (tv, resident) = NewTvAndResident();
        var other = new TvKey(Platform.ClientId, tv.TvId + "-2");
        await ClaimAsync(tv, resident, Municipalities[0]);
        await ClaimAsync(other, resident, Municipalities[0]);
        var (claimingOther, pause) = Paused(nameof(IDisasterRegistry.SaveResidentAsync));
        var otherCode = await Pairings.CreatePairingAsync(new PairingRequest(other.TvId), Platform);
        var otherClaim = claimingOther.ClaimAsync(otherCode.PairingCode, Claim(Municipalities[0]), resident);
        await pause.Reached;
        var code = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), Platform);

        var error = await Assert.ThrowsAsync<ServiceException>(() => Pairings.ClaimAsync(code.PairingCode, Claim(Municipalities[0], "d-moved"), resident));

        Assert.Equal(ErrorCodes.Conflict.Code, error.Error.Code);
        pause.Release();
        await otherClaim;
        await Pairings.ClaimAsync(code.PairingCode, Claim(Municipalities[0], "d-moved"), resident);
        foreach (var key in new[] { tv, other })
        {
            Assert.Equal("d-moved", (await Registry.FindTvAsync(key))?.DistrictCode);
            Assert.Equal("d-moved", (await Registry.ListTvsAsync(Municipalities[0])).Single(t => t.Key == key).DistrictCode);
            Assert.Equal("d-moved", (await Registry.ListTvsOfResidentAsync(resident.MyKeyId)).Single(t => t.Key == key).DistrictCode);
        }
    }

    private (TvPairingService Service, PausingRegistry Pause) Paused(string method, Func<object?[], bool>? when = null) => _harness.Paused(method, when);

    private (TvKey Tv, Citizen Resident) NewTvAndResident() => _harness.NewTvAndResident();

    /// <summary>Two codes for the TV, claimed at once by its resident for two municipalities; a loser is 409 conflict.</summary>
    private async Task ClaimConcurrentlyAsync(TvKey tv, Citizen resident, string first, string second)
    {
        var codes = new[]
        {
            (await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), Platform)).PairingCode,
            (await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), Platform)).PairingCode,
        };
        using var start = new ManualResetEventSlim();
        var claims = new[] { (codes[0], first), (codes[1], second) }.Select(c => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                await Pairings.ClaimAsync(c.Item1, Claim(c.Item2), resident);
                return null;
            }
            catch (ServiceException ex)
            {
                return ex.Error.Code;
            }
        })).ToList();
        start.Set();
        var errors = await Task.WhenAll(claims);
        Assert.All(errors.Where(e => e is not null), e => Assert.Equal(ErrorCodes.Conflict.Code, e));
        Assert.True(errors.Any(e => e is null), "Neither claim succeeded.");
    }

    private Task ClaimAsync(TvKey tv, Citizen resident, string municipality) => _harness.ClaimAsync(tv, resident, Claim(municipality));

    private async Task AssertInOneMunicipalityAsync(TvKey tv, Citizen resident)
    {
        var link = await Registry.FindTvAsync(tv);
        Assert.NotNull(link);
        var holding = new List<string>();
        var registered = new List<string>();
        foreach (var municipality in Municipalities)
        {
            if ((await Registry.ListTvsAsync(municipality)).Any(t => t.Key == tv))
            {
                holding.Add(municipality);
            }

            if ((await Registry.ListResidentsAsync(municipality)).Any(r => r.MyKeyId == resident.MyKeyId))
            {
                registered.Add(municipality);
            }
        }

        Assert.Equal([link.MunicipalityCode], holding);
        Assert.Equal([link.MunicipalityCode], registered);
        Assert.Equal(link.MunicipalityCode, (await Registry.FindResidentByMyKeyIdAsync(resident.MyKeyId))?.MunicipalityCode);
        Assert.Equal(link.MunicipalityCode, Assert.Single(await Registry.ListTvsOfResidentAsync(resident.MyKeyId)).MunicipalityCode);
    }

    private static PairingClaim Claim(string municipality, string district = "d-race") =>
        new(new ResidentDetails("競合　太郎", "キョウゴウ　タロウ", municipality, district), null);
}
