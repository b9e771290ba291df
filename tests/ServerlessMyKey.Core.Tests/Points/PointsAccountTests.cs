using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Points;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Points;

public sealed class PointsAccountTests
{
    private const string Chiyoda = "131016";
    private const string Sapporo = "011002";
    private static readonly DateTimeOffset Now = new(2025, 5, 10, 3, 0, 0, TimeSpan.Zero);
    private static readonly PointsSource Partner = new(PointsSource.Partner, "airline-a");

    /// <summary>Now + 14 days is 2025-05-24 12:00 JST: points go at the start of that day, 00:00 JST.</summary>
    private static readonly DateTimeOffset Deadline = new(2025, 5, 23, 15, 0, 0, TimeSpan.Zero);
    private static readonly PointsSource City = new(PointsSource.Municipality, "volunteer-2025");

    private static PointsAccount Account() => PointsAccount.Open("AB12CD34");

    [Fact]
    public void Partner_conversion_lands_in_holding_with_a_14_day_deadline()
    {
        var change = Account().ConvertPartnerPoints(500, Partner, Now, TimeSpan.FromDays(14));

        Assert.Equal(500, change.After.HoldingBalance);
        Assert.Equal(Deadline, Assert.Single(change.After.Holding).AssignBy);
        var entry = Assert.Single(change.Entries);
        Assert.Equal((PointsEntryKind.PartnerConversion, 1L, 500L, 500L, 0L), (entry.Kind, entry.Sequence, entry.Amount, entry.HoldingDelta, entry.MunicipalityDelta));
        Assert.Equal(new PointsDueItem("AB12CD34", PointsDueKind.AutoAssignment, Deadline), Assert.Single(change.NewDueItems()));
    }

    [Fact]
    public void Municipal_grant_goes_straight_to_the_municipality_and_merges_lots_that_expire_together()
    {
        var expiry = Now.AddYears(1);
        var account = Account().Grant(Chiyoda, 100, City, Now, expiry).After;
        var second = account.Grant(Chiyoda, 50, City, Now, expiry);

        Assert.Equal(0, second.After.HoldingBalance);
        Assert.Equal(new MunicipalLot(Chiyoda, 150, expiry), Assert.Single(second.After.Lots));
        Assert.Empty(second.NewDueItems());
        Assert.Equal(2, second.After.Sequence);
    }

    [Fact]
    public void Assignment_moves_holding_points_earliest_deadline_first()
    {
        var account = Account().ConvertPartnerPoints(100, Partner, Now, TimeSpan.FromDays(14)).After
            .ConvertPartnerPoints(200, Partner, Now.AddDays(1), TimeSpan.FromDays(14)).After;

        var change = account.Assign(Chiyoda, 150, Now.AddDays(2), null);

        Assert.Equal(new HoldingLot(150, Now.AddDays(1), Deadline.AddDays(1)), Assert.Single(change.After.Holding));
        Assert.Equal(150, change.After.BalanceIn(Chiyoda));
        var entry = Assert.Single(change.Entries);
        Assert.Equal((PointsEntryKind.Assignment, -150L, 150L), (entry.Kind, entry.HoldingDelta, entry.MunicipalityDelta));
    }

    [Fact]
    public void Assigning_more_than_holding_is_insufficient_balance()
    {
        var account = Account().ConvertPartnerPoints(100, Partner, Now, TimeSpan.FromDays(14)).After;

        Assert.Same(ErrorCodes.InsufficientBalance, Assert.Throws<ServiceException>(() => account.Assign(Chiyoda, 101, Now, null)).Error);
    }

    [Fact]
    public void Debit_spends_the_lots_that_expire_first_and_only_of_the_merchants_municipality()
    {
        var account = Account()
            .Grant(Chiyoda, 100, City, Now, Now.AddDays(60)).After
            .Grant(Chiyoda, 100, City, Now, Now.AddDays(30)).After
            .Grant(Chiyoda, 100, City, Now, null).After
            .Grant(Sapporo, 1000, City, Now, Now.AddDays(10)).After;

        var change = account.Debit(Chiyoda, 150, "shop-1", Now);

        var entry = Assert.Single(change.Entries);
        Assert.Equal([new LotMovement(100, Now.AddDays(30)), new LotMovement(50, Now.AddDays(60))], entry.Lots);
        Assert.Equal(150, change.After.BalanceIn(Chiyoda));
        Assert.Equal(1000, change.After.BalanceIn(Sapporo));
        Assert.Same(ErrorCodes.InsufficientBalance, Assert.Throws<ServiceException>(() => change.After.Debit(Chiyoda, 151, "shop-1", Now)).Error);
    }

    [Fact]
    public void Expired_lots_cannot_be_spent_even_before_the_timer_writes_them_off()
    {
        var account = Account().Grant(Chiyoda, 100, City, Now, Now.AddDays(1)).After;

        Assert.Equal(0, account.AvailableIn(Chiyoda, Now.AddDays(1)));
        Assert.Same(ErrorCodes.InsufficientBalance, Assert.Throws<ServiceException>(() => account.Debit(Chiyoda, 1, "shop-1", Now.AddDays(1))).Error);
    }

    [Fact]
    public void Expiry_writes_one_entry_per_municipality_and_removes_the_lots()
    {
        var account = Account()
            .Grant(Chiyoda, 100, City, Now, Now.AddDays(1)).After
            .Grant(Chiyoda, 30, City, Now, Now.AddDays(2)).After
            .Grant(Chiyoda, 5, City, Now, Now.AddDays(9)).After
            .Grant(Sapporo, 7, City, Now, Now.AddDays(2)).After;

        var change = account.ExpireDue(Now.AddDays(2));

        Assert.Equal([(Sapporo, -7L), (Chiyoda, -130L)], change.Entries.Select(e => (e.MunicipalityCode!, e.MunicipalityDelta)));
        Assert.Equal(5, change.After.BalanceIn(Chiyoda));
        Assert.Equal(0, change.After.BalanceIn(Sapporo));
        Assert.Empty(change.After.ExpireDue(Now.AddDays(2)).Entries);
    }

    [Fact]
    public void Overdue_holding_goes_to_the_default_municipality_only_when_one_is_set()
    {
        var account = Account().ConvertPartnerPoints(100, Partner, Now, TimeSpan.FromDays(14)).After;
        var later = Deadline;

        Assert.True(account.AssignOverdueToDefault(later, _ => null).IsEmpty);
        var withDefault = account.WithDefaultMunicipality(Sapporo);
        Assert.True(withDefault.AssignOverdueToDefault(later.AddTicks(-1), _ => null).IsEmpty);

        var change = withDefault.AssignOverdueToDefault(later, _ => later.AddDays(180));

        Assert.Equal(0, change.After.HoldingBalance);
        Assert.Equal(new MunicipalLot(Sapporo, 100, later.AddDays(180)), Assert.Single(change.After.Lots));
        Assert.Equal(PointsEntryKind.AutoAssignment, Assert.Single(change.Entries).Kind);
    }

    [Fact]
    public void Conversions_of_one_day_share_a_holding_lot_and_overdue_lots_merge()
    {
        var account = Account();
        for (var i = 0; i < 10; i++)
        {
            account = account.ConvertPartnerPoints(1, Partner, Now.AddHours(i), TimeSpan.FromDays(14)).After; // 12:00–21:00 JST, one day
        }

        Assert.Equal(new HoldingLot(10, Now, Deadline), Assert.Single(account.Holding));

        // Three weeks of hourly conversions without a default municipality: one lot per future deadline day, one overdue lot.
        for (var hour = 10; hour < 24 * 21; hour++)
        {
            account = account.ConvertPartnerPoints(1, Partner, Now.AddHours(hour), TimeSpan.FromDays(14)).After;
        }

        var now = Now.AddHours((24 * 21) - 1);
        Assert.Equal(24 * 21, account.HoldingBalance);
        Assert.Single(account.Holding, l => l.AssignBy <= now);
        Assert.Equal(Deadline, account.Holding.Min(l => l.AssignBy));
        Assert.InRange(account.Holding.Length, 15, 16);
    }

    [Fact]
    public void A_change_that_would_keep_more_lots_than_the_limit_is_points_lot_limit_reached()
    {
        var full = PointsAccount.Restore("AB12CD34", 1, null, [], Enumerable.Range(1, PointsAccount.MaxLots).Select(d => new MunicipalLot(Chiyoda, 1, Now.AddDays(d))));

        var error = Assert.Throws<ServiceException>(() => full.Grant(Chiyoda, 1, City, Now, Now.AddDays(PointsAccount.MaxLots + 1)));

        Assert.Same(ErrorCodes.PointsLotLimitReached, error.Error);
        Assert.Equal(2, full.Grant(Chiyoda, 1, City, Now, Now.AddDays(1)).After.Lots[0].Amount); // merges: no new lot
        Assert.Equal(PointsAccount.MaxLots - 1, full.Debit(Chiyoda, 1, "shop", Now).After.Lots.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Amounts_must_be_positive(long amount)
    {
        Assert.Same(ErrorCodes.InvalidRequest, Assert.Throws<ServiceException>(() => Account().Grant(Chiyoda, amount, City, Now, null)).Error);
    }

    [Fact]
    public void Stored_state_with_a_non_positive_lot_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => PointsAccount.Restore("AB12CD34", 1, null, [], [new MunicipalLot(Chiyoda, -1, null)]));
    }
}
