using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Disaster;

/// <summary>
/// The pairing service and registry on real Azurite tables of their own, for tests of claims and unlinks racing each other:
/// a TV platform, the municipalities taking part, the app's clock (<paramref name="time"/>, the system's unless a test moves
/// it), and a copy of the service whose registry stops at one call (<see cref="PausingRegistry"/>).
/// </summary>
internal sealed class TvClaimHarness : IAsyncDisposable
{
    private readonly TemporaryDirectory _keys = new();
    private readonly ServiceProvider _services;
    private readonly TimeProvider _time;

    public TvClaimHarness(AzuriteFixture azurite, string name, IReadOnlyList<string> municipalities, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Platform = new ServiceClient("tv-" + name.ToLowerInvariant(), new HashSet<string> { DisasterRoles.TvPlatform });
        var settings = new Dictionary<string, string?>
        {
            ["Keys:LocalPath"] = _keys.Path,
            ["Disaster:DeliveryQueue"] = AzuriteServer.UniqueName(name.ToLowerInvariant() + "-deliveries"),
        };
        foreach (var municipality in municipalities)
        {
            settings[$"Disaster:Municipalities:{municipality}:Clients"] = "staff";
        }

        _services = DisasterTestServices.Build(azurite, new global::Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString), settings, name, time: _time);
    }

    public ServiceClient Platform { get; }

    public TvPairingService Pairings => _services.GetRequiredService<TvPairingService>();

    public IDisasterRegistry Registry => _services.GetRequiredService<IDisasterRegistry>();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _keys.Dispose();
    }

    /// <summary>A pairing service whose registry stops at the first call of <paramref name="method"/> (matching <paramref name="when"/>) until released.</summary>
    public (TvPairingService Service, PausingRegistry Pause) Paused(string method, Func<object?[], bool>? when = null)
    {
        var (registry, pause) = PausingRegistry.Around(Registry, method);
        pause.When = when ?? (_ => true);
        return (new TvPairingService(registry, _services.GetRequiredService<ResidentNames>(), _services.GetRequiredService<KnownTvs>(),
            _services.GetRequiredService<DisasterOptions>(), _time), pause);
    }

    public (TvKey Tv, Citizen Resident) NewTvAndResident() =>
        (new TvKey(Platform.ClientId, "tv-" + Guid.NewGuid().ToString("N")[..12]), new Citizen("K" + Guid.NewGuid().ToString("N")[..15], "01", DateTimeOffset.MaxValue));

    /// <summary>A pairing code for the TV, claimed by <paramref name="resident"/> with <paramref name="claim"/>.</summary>
    public async Task ClaimAsync(TvKey tv, Citizen resident, PairingClaim claim)
    {
        var code = await Pairings.CreatePairingAsync(new PairingRequest(tv.TvId), Platform);
        await Pairings.ClaimAsync(code.PairingCode, claim, resident);
    }
}
