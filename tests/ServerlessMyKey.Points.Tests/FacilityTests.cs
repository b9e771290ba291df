using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Facilities;
using ServerlessMyKey.Core.Security;
using static ServerlessMyKey.Points.Tests.PointsHarness;

namespace ServerlessMyKey.Points.Tests;

/// <summary>Public-facility cards through the service and the Table adapter on Azurite.</summary>
public sealed class FacilityTests(PointsHarness harness) : IClassFixture<PointsHarness>
{
    private static readonly ServiceClient City = new("chiyoda-city", new HashSet<string> { FacilityRoles.Admin });
    private static readonly ServiceClient Terminal = new("library-gate-1", new HashSet<string> { FacilityRoles.Checkin });
    private static readonly ServiceClient OtherTerminal = new("gym-gate-9", new HashSet<string> { FacilityRoles.Checkin });

    private static Citizen NewCitizen() => new(NewMyKeyId(), "0A1B2C", DateTimeOffset.UtcNow.AddYears(3));

    private async Task<string> RegisterLibraryAsync()
    {
        var facilityId = "lib-" + NewKey()[..8];
        await harness.Facilities.RegisterAsync(new FacilityRegistration(facilityId, "千代田図書館", Chiyoda, "library", [Terminal.ClientId]), NewKey(), City);
        return facilityId;
    }

    [Fact]
    public async Task A_linked_citizen_checks_in_as_their_user_number_and_the_log_is_newest_first()
    {
        var facilityId = await RegisterLibraryAsync();
        var citizen = NewCitizen();
        await harness.Facilities.LinkAsync(facilityId, citizen, new FacilityLinkRequest("L-000123"), NewKey());

        var first = LedgerAssert.Body<CheckinResponse>(await harness.Facilities.CheckInAsync(facilityId, citizen, Terminal, NewKey()));
        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = LedgerAssert.Body<CheckinResponse>(await harness.Facilities.CheckInAsync(facilityId, citizen, Terminal, null));

        Assert.Equal("L-000123", first.UserNumber);
        Assert.Equal("L-000123", (await harness.Facilities.GetLinkAsync(facilityId, citizen)).UserNumber);
        var log = await harness.FacilityStore.ListCheckinsAsync(facilityId, 10);
        Assert.Equal([second.CheckinId, first.CheckinId], log.Select(c => c.CheckinId));
        Assert.All(log, c => Assert.Equal((citizen.MyKeyId, Terminal.ClientId), (c.MyKeyId, c.TerminalClientId)));
    }

    [Fact]
    public async Task A_replayed_check_in_is_logged_once()
    {
        var facilityId = await RegisterLibraryAsync();
        var citizen = NewCitizen();
        await harness.Facilities.LinkAsync(facilityId, citizen, new FacilityLinkRequest("L-7"), null);
        var key = NewKey();

        var first = await harness.Facilities.CheckInAsync(facilityId, citizen, Terminal, key);
        var again = await harness.Facilities.CheckInAsync(facilityId, citizen, Terminal, key);

        Assert.Equal(first.Body, again.Body);
        Assert.Single(await harness.FacilityStore.ListCheckinsAsync(facilityId, 10));
    }

    [Fact]
    public async Task Relinking_replaces_the_number_and_frees_the_old_one()
    {
        var facilityId = await RegisterLibraryAsync();
        var (alice, bob) = (NewCitizen(), NewCitizen());
        await harness.Facilities.LinkAsync(facilityId, alice, new FacilityLinkRequest("L-1"), null);

        var taken = await Assert.ThrowsAsync<ServiceException>(() => harness.Facilities.LinkAsync(facilityId, bob, new FacilityLinkRequest("L-1"), null));
        await harness.Facilities.LinkAsync(facilityId, alice, new FacilityLinkRequest("L-2"), null);
        await harness.Facilities.LinkAsync(facilityId, bob, new FacilityLinkRequest("L-1"), null);

        Assert.Same(ErrorCodes.AlreadyExists, taken.Error);
        Assert.Equal("L-2", (await harness.Facilities.GetLinkAsync(facilityId, alice)).UserNumber);
        Assert.Equal("L-1", (await harness.Facilities.GetLinkAsync(facilityId, bob)).UserNumber);
    }

    [Fact]
    public async Task Two_citizens_racing_for_one_number_leave_exactly_one_link()
    {
        var facilityId = await RegisterLibraryAsync();
        var citizens = Enumerable.Range(0, 6).Select(_ => NewCitizen()).ToList();

        var outcomes = await Task.WhenAll(citizens.Select(async c =>
        {
            try
            {
                await harness.Facilities.LinkAsync(facilityId, c, new FacilityLinkRequest("L-RACE"), null);
                return true;
            }
            catch (ServiceException ex) when (ex.Error == ErrorCodes.AlreadyExists)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, o => o);
    }

    [Fact]
    public async Task Refusals_name_what_is_wrong()
    {
        var facilityId = await RegisterLibraryAsync();
        var citizen = NewCitizen();
        async Task<ErrorCode> Code(Func<Task> call) => (await Assert.ThrowsAsync<ServiceException>(call)).Error;

        Assert.Same(ErrorCodes.NotFound, await Code(() => harness.Facilities.CheckInAsync(facilityId, citizen, Terminal, null)));
        Assert.Same(ErrorCodes.NotFound, await Code(() => harness.Facilities.GetLinkAsync(facilityId, citizen)));
        Assert.Same(ErrorCodes.NotFound, await Code(() => harness.Facilities.LinkAsync("no-such-facility", citizen, new FacilityLinkRequest("L-1"), null)));
        Assert.Same(ErrorCodes.Forbidden, await Code(() => harness.Facilities.CheckInAsync(facilityId, citizen, OtherTerminal, null)));
        Assert.Same(ErrorCodes.InvalidRequest, await Code(() => harness.Facilities.LinkAsync(facilityId, citizen, new FacilityLinkRequest("L 1/2"), null)));
        Assert.Same(ErrorCodes.AlreadyExists, await Code(() =>
            harness.Facilities.RegisterAsync(new FacilityRegistration(facilityId, "Other name", Chiyoda), null, City)));
    }
}
