using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// A pairing code is single use for ten minutes: its resident may send the same claim again (a retry after a lost
/// response), but a code long used links no TV again that its resident unlinked since — the TV may be someone else's
/// now. Real Azurite tables, the app's clock a fake one.
/// </summary>
public sealed class PairingReplayTests : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private const string Municipality = "363880";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly TvClaimHarness _harness;

    public PairingReplayTests(AzuriteFixture azurite) => _harness = new TvClaimHarness(azurite, "Replay", [Municipality], _clock);

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_used_code_replayed_after_its_ten_minutes_does_not_link_again_the_tv_its_resident_unlinked()
    {
        var (tv, resident) = _harness.NewTvAndResident();
        var code = await _harness.Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), _harness.Platform);
        await _harness.Pairings.ClaimAsync(code.PairingCode, Claim(), resident);
        await _harness.Pairings.UnlinkAsync(tv.PlatformId, tv.TvId, resident);

        _clock.Advance(TimeSpan.FromDays(3));
        var error = await Record.ExceptionAsync(() => _harness.Pairings.ClaimAsync(code.PairingCode, Claim(), resident));

        Assert.Equal(ErrorCodes.PairingExpired.Code, Assert.IsType<ServiceException>(error).Error.Code);
        Assert.Null(await _harness.Registry.FindTvAsync(tv));
        Assert.Empty(await _harness.Registry.ListTvsAsync(Municipality));
    }

    [Fact]
    public async Task A_used_code_sent_again_by_its_resident_answers_the_same_while_the_tv_is_theirs()
    {
        var (tv, resident) = _harness.NewTvAndResident();
        var code = await _harness.Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), _harness.Platform);
        var first = await _harness.Pairings.ClaimAsync(code.PairingCode, Claim(), resident);

        _clock.Advance(TimeSpan.FromMinutes(11));
        var again = await _harness.Pairings.ClaimAsync(code.PairingCode, Claim(), resident);

        Assert.Equal(first, again);
        Assert.Equal(tv, Assert.Single(await _harness.Registry.ListTvsOfResidentAsync(resident.MyKeyId)).Key);
    }

    private static PairingClaim Claim() => new(new ResidentDetails("再送　花子", "サイソウ　ハナコ", Municipality, "d-replay"), null);
}
