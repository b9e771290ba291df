using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Points;
using ServerlessMyKey.Core.Security;
using static ServerlessMyKey.Points.Tests.PointsHarness;

namespace ServerlessMyKey.Points.Tests;

/// <summary>The points rules end to end through the service on Azurite, with the fake clock driving the timers' work.</summary>
public sealed class RulesTests(PointsHarness harness) : IClassFixture<PointsHarness>
{
    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    [Fact]
    public async Task Merchants_take_only_their_municipalitys_points()
    {
        var myKeyId = NewMyKeyId();
        await harness.GrantAsync(myKeyId, Sapporo, 500);

        var error = await Assert.ThrowsAsync<ServiceException>(() => harness.DebitAsync(myKeyId, Chiyoda, 1));

        Assert.Same(ErrorCodes.InsufficientBalance, error.Error);
        await harness.DebitAsync(myKeyId, Sapporo, 500);
    }

    [Fact]
    public async Task A_debit_by_another_merchants_key_is_forbidden()
    {
        var myKeyId = NewMyKeyId();
        await harness.GrantAsync(myKeyId, Chiyoda, 500);

        var error = await Assert.ThrowsAsync<ServiceException>(() =>
            harness.Points.DebitAsync(myKeyId, new DebitRequest(1, MerchantId(Chiyoda)), NewKey(), MerchantClient(Sapporo)));

        Assert.Same(ErrorCodes.Forbidden, error.Error);
    }

    [Fact]
    public async Task Credits_to_a_municipality_that_does_not_take_part_are_refused()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => harness.GrantAsync(NewMyKeyId(), "999997", 10));

        Assert.Same(ErrorCodes.UnknownMunicipality, error.Error);
    }

    [Fact]
    public async Task Partner_points_wait_in_holding_and_the_citizen_can_assign_them()
    {
        var myKeyId = NewMyKeyId();
        var converted = LedgerAssert.Body<PointsMovementResponse>(await harness.ConvertAsync(myKeyId, 800));

        Assert.Equal(800, converted.Balance.Holding);
        Assert.Empty(converted.Balance.Municipalities);
        var end = harness.Clock.GetUtcNow().AddDays(14).ToOffset(Jst);
        Assert.Equal(new DateTimeOffset(end.Year, end.Month, end.Day, 0, 0, 0, Jst), Assert.Single(converted.Balance.HoldingLots).AssignBy);

        var assigned = LedgerAssert.Body<PointsMovementResponse>(await harness.Points.AssignAsync(myKeyId, new AssignmentRequest(Osaka, 300), NewKey()));

        Assert.Equal(500, assigned.Balance.Holding);
        Assert.Equal(new MunicipalBalance(Osaka, 300, []), assigned.Balance.Municipalities.Single() with { Expiring = [] });
        var error = await Assert.ThrowsAsync<ServiceException>(() => harness.Points.AssignAsync(myKeyId, new AssignmentRequest(Osaka, 501), NewKey()));
        Assert.Same(ErrorCodes.InsufficientBalance, error.Error);
        await LedgerAssert.SummaryIsSumOfEntriesAsync(harness, myKeyId);
    }

    [Fact]
    public async Task Holding_points_not_assigned_within_14_days_go_to_the_default_municipality()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start);
        var points = harness.PointsWithClock(clock);
        var myKeyId = NewMyKeyId();
        await points.SetDefaultMunicipalityAsync(myKeyId, new DefaultMunicipalityRequest(Sapporo));
        await points.CreditAsync(myKeyId, new CreditRequest(400, new PointsSource(PointsSource.Partner, "airline-a")), NewKey(), Partner);

        clock.Advance(TimeSpan.FromDays(14) - TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1)); // to 2025-05-24 00:00 JST
        await points.RunDueWorkAsync(PointsDueKind.AutoAssignment, 1000);
        Assert.Equal(400, (await harness.Ledger.ReadAsync(myKeyId)).Account.HoldingBalance);

        clock.Advance(TimeSpan.FromSeconds(1));
        await points.RunDueWorkAsync(PointsDueKind.AutoAssignment, 1000);
        await points.RunDueWorkAsync(PointsDueKind.AutoAssignment, 1000); // a second run changes nothing

        var account = (await harness.Ledger.ReadAsync(myKeyId)).Account;
        Assert.Equal(0, account.HoldingBalance);
        Assert.Equal(400, account.BalanceIn(Sapporo));
        var entries = await harness.AllEntriesAsync(myKeyId);
        Assert.Equal([PointsEntryKind.PartnerConversion, PointsEntryKind.AutoAssignment], entries.Select(e => e.Kind));
        // Days:30 counted from the assignment, in Japanese days: usable through the 30th day after it.
        var assignedAt = Start.AddDays(14).AddHours(-12).ToOffset(Jst);
        Assert.Equal(new DateTimeOffset(assignedAt.Year, assignedAt.Month, assignedAt.Day, 0, 0, 0, Jst).AddDays(31), Assert.Single(account.Lots).ExpiresAt);
    }

    [Fact]
    public async Task Without_a_default_overdue_holding_waits_and_goes_as_soon_as_one_is_set()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start);
        var points = harness.PointsWithClock(clock);
        var myKeyId = NewMyKeyId();
        await points.CreditAsync(myKeyId, new CreditRequest(250, new PointsSource(PointsSource.Partner, "airline-a")), NewKey(), Partner);

        clock.Advance(TimeSpan.FromDays(20));
        await points.RunDueWorkAsync(PointsDueKind.AutoAssignment, 1000);
        Assert.Equal(250, (await harness.Ledger.ReadAsync(myKeyId)).Account.HoldingBalance);

        var response = LedgerAssert.Body<DefaultMunicipalityResponse>(await points.SetDefaultMunicipalityAsync(myKeyId, new DefaultMunicipalityRequest(Osaka)));

        Assert.Equal(0, response.Balance.Holding);
        Assert.Equal(250, response.Balance.Municipalities.Single(m => m.MunicipalityCode == Osaka).Available);
        await LedgerAssert.SummaryIsSumOfEntriesAsync(harness, myKeyId);
    }

    [Fact]
    public async Task Points_expire_at_the_end_of_the_next_fiscal_year_by_the_timer_with_an_expiry_entry()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start);
        var points = harness.PointsWithClock(clock);
        var myKeyId = NewMyKeyId();
        await points.CreditAsync(myKeyId, new CreditRequest(300, new PointsSource(PointsSource.Municipality, "checkup"), Chiyoda), NewKey(), Admin);
        await points.DebitAsync(myKeyId, new DebitRequest(100, MerchantId(Chiyoda)), NewKey(), MerchantClient(Chiyoda));
        var expiresAt = new DateTimeOffset(2027, 4, 1, 0, 0, 0, Jst);

        var statement = await points.GetStatementAsync(myKeyId, null, null);
        Assert.Equal(new ExpiringPoints(200, expiresAt), statement.Balance.Municipalities.Single().Expiring.Single());

        clock.SetUtcNow(expiresAt.AddTicks(-1));
        await points.RunDueWorkAsync(PointsDueKind.Expiry, 1000);
        Assert.Equal(200, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(Chiyoda));

        clock.SetUtcNow(expiresAt);
        await points.RunDueWorkAsync(PointsDueKind.Expiry, 1000);
        await points.RunDueWorkAsync(PointsDueKind.Expiry, 1000);

        var entries = await harness.AllEntriesAsync(myKeyId);
        var expiry = entries[^1];
        Assert.Equal((PointsEntryKind.Expiry, 200L, -200L, Chiyoda), (expiry.Kind, expiry.Amount, expiry.MunicipalityDelta, expiry.MunicipalityCode));
        Assert.Equal(3, entries.Count);
        Assert.Equal(0, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(Chiyoda));
        await LedgerAssert.SummaryIsSumOfEntriesAsync(harness, myKeyId);
    }

    [Fact]
    public async Task Statements_are_newest_first_in_pages_and_refuse_foreign_tokens()
    {
        var myKeyId = NewMyKeyId();
        for (var i = 1; i <= 7; i++)
        {
            await harness.GrantAsync(myKeyId, Osaka, i);
        }

        var first = await harness.Points.GetStatementAsync(myKeyId, null, 3);
        var second = await harness.Points.GetStatementAsync(myKeyId, first.ContinuationToken, 3);
        var third = await harness.Points.GetStatementAsync(myKeyId, second.ContinuationToken, 3);

        Assert.Equal([7L, 6, 5], first.Entries.Select(e => e.Amount));
        Assert.Equal([4L, 3, 2], second.Entries.Select(e => e.Amount));
        Assert.Equal([1L], third.Entries.Select(e => e.Amount));
        Assert.Null(third.ContinuationToken);
        Assert.Equal(28, first.Balance.Municipalities.Single().Available);
        Assert.Same(ErrorCodes.InvalidRequest, (await Assert.ThrowsAsync<ServiceException>(() => harness.Points.GetStatementAsync(myKeyId, "not-a-token", 3))).Error);
        Assert.Same(ErrorCodes.InvalidRequest, (await Assert.ThrowsAsync<ServiceException>(() => harness.Points.GetStatementAsync(myKeyId, null, 0))).Error);
    }

    [Fact]
    public async Task An_account_without_entries_reads_as_empty()
    {
        var statement = await harness.Points.GetStatementAsync(NewMyKeyId(), null, null);

        Assert.Equal(0, statement.Balance.Holding);
        Assert.Empty(statement.Entries);
        Assert.Null(statement.ContinuationToken);
    }

    [Fact]
    public async Task Registering_a_merchant_again_is_idempotent_and_other_values_are_already_exists()
    {
        var registration = new MerchantRegistration("shop-x-" + NewKey()[..6], "Shop X", Chiyoda);
        var key = NewKey();

        var first = await harness.Points.RegisterMerchantAsync(registration, key, Admin);
        var again = await harness.Points.RegisterMerchantAsync(registration, key, Admin);
        var withoutKey = await harness.Points.RegisterMerchantAsync(registration, null, Admin);
        var changed = await Assert.ThrowsAsync<ServiceException>(() => harness.Points.RegisterMerchantAsync(registration with { Name = "Other" }, null, Admin));
        var reused = await Assert.ThrowsAsync<ServiceException>(() => harness.Points.RegisterMerchantAsync(registration with { Name = "Other" }, key, Admin));

        Assert.Equal(first.Body, again.Body);
        Assert.Equal(first.Body, withoutKey.Body);
        Assert.Same(ErrorCodes.AlreadyExists, changed.Error);
        Assert.Same(ErrorCodes.IdempotencyKeyReused, reused.Error);
        Assert.Equal(registration.MerchantId, LedgerAssert.Body<Merchant>(first).ClientId);
    }

    [Fact]
    public async Task Malformed_fields_are_invalid_request()
    {
        async Task<ErrorCode> Code(Func<Task> call) => (await Assert.ThrowsAsync<ServiceException>(call)).Error;

        Assert.Same(ErrorCodes.InvalidRequest, await Code(() => harness.GrantAsync("short", Chiyoda, 1)));
        Assert.Same(ErrorCodes.InvalidRequest, await Code(() => harness.GrantAsync(NewMyKeyId(), Chiyoda, 0)));
        Assert.Same(ErrorCodes.InvalidRequest, await Code(() => harness.GrantAsync(NewMyKeyId(), "13101", 1)));
        Assert.Same(ErrorCodes.InvalidRequest, await Code(() => harness.Points.CreditAsync(NewMyKeyId(), new CreditRequest(1, new PointsSource("bank", "x")), NewKey(), Admin)));
        Assert.Same(ErrorCodes.InvalidRequest, await Code(() => harness.Points.CreditAsync(NewMyKeyId(), new CreditRequest(1, null!), NewKey(), Admin)));
        Assert.Same(ErrorCodes.InvalidRequest, await Code(() => harness.Points.RegisterMerchantAsync(new MerchantRegistration("bad/id", "n", Chiyoda), null, Admin)));
        Assert.Same(ErrorCodes.NotFound, await Code(() => harness.Points.DebitAsync(NewMyKeyId(), new DebitRequest(1, "no-such-shop"), NewKey(), new ServiceClient("x", new HashSet<string> { ServiceRoles.Admin }))));
    }

    [Fact]
    public async Task A_municipal_grant_needs_the_municipality_s_own_client_or_admin()
    {
        var myKeyId = NewMyKeyId();
        CreditRequest Grant(string code) => new(100, new PointsSource(PointsSource.Municipality, "volunteer"), code);

        var partner = await Assert.ThrowsAsync<ServiceException>(() => harness.Points.CreditAsync(myKeyId, Grant(Sapporo), NewKey(), Partner));
        var otherCity = await Assert.ThrowsAsync<ServiceException>(() => harness.Points.CreditAsync(myKeyId, Grant(Chiyoda), NewKey(), SapporoCity));
        await harness.Points.CreditAsync(myKeyId, Grant(Sapporo), NewKey(), SapporoCity);
        await harness.Points.CreditAsync(myKeyId, Grant(Chiyoda), NewKey(), Admin);

        Assert.Equal("forbidden", partner.Error.Code);
        Assert.Equal("forbidden", otherCity.Error.Code);
        Assert.Equal(100, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(Sapporo));
        Assert.Equal(100, (await harness.Ledger.ReadAsync(myKeyId)).Account.BalanceIn(Chiyoda));
    }
}
