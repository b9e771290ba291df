using System.Collections.Immutable;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Points;

/// <summary>
/// Converted partner points waiting in holding (留保ポイント) until <see cref="AssignBy"/>; the
/// conversions of one deadline are one lot, <see cref="ConvertedAt"/> being the first of them.
/// </summary>
public sealed record HoldingLot(long Amount, DateTimeOffset ConvertedAt, DateTimeOffset AssignBy);

/// <summary>Points of one municipality that expire together (never, when <see cref="ExpiresAt"/> is null).</summary>
public sealed record MunicipalLot(string MunicipalityCode, long Amount, DateTimeOffset? ExpiresAt)
{
    public bool IsUsableAt(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;
}

/// <summary>
/// The state of one MyKey ID's points account and its rules, without I/O. Every operation returns a
/// <see cref="PointsChange"/>: the entries it appends and the state after them. The state cannot hold
/// a non-positive lot, so no balance can be negative; lots are taken earliest expiry first.
/// </summary>
public sealed class PointsAccount
{
    /// <summary>
    /// Most lots (holding and municipal together) one account keeps. Holding lots stay far below it
    /// (one per deadline day plus one overdue lot, ≤ 367 with the longest holding period); municipal
    /// lots are one per municipality and expiry day. A change that would keep more is refused with
    /// 409 <c>points_lot_limit_reached</c>; the stored state stays well under the 1 MiB entity.
    /// </summary>
    public const int MaxLots = 4000;

    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    private PointsAccount(string myKeyId, long sequence, string? defaultMunicipalityCode, ImmutableArray<HoldingLot> holding, ImmutableArray<MunicipalLot> lots)
    {
        ArgumentException.ThrowIfNullOrEmpty(myKeyId);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        if (holding.Any(l => l.Amount <= 0) || lots.Any(l => l.Amount <= 0))
        {
            throw new InvalidOperationException("A points lot must hold a positive amount.");
        }

        MyKeyId = myKeyId;
        Sequence = sequence;
        DefaultMunicipalityCode = defaultMunicipalityCode;
        Holding = holding;
        Lots = [.. lots.OrderBy(l => l.MunicipalityCode, StringComparer.Ordinal).ThenBy(l => l.ExpiresAt ?? DateTimeOffset.MaxValue)];
    }

    public string MyKeyId { get; }

    /// <summary>Sequence number of the last entry (0 for an account without entries).</summary>
    public long Sequence { get; }

    /// <summary>Where overdue holding points go (the citizen's choice).</summary>
    public string? DefaultMunicipalityCode { get; }

    public ImmutableArray<HoldingLot> Holding { get; }

    public ImmutableArray<MunicipalLot> Lots { get; }

    public long HoldingBalance => Holding.Sum(l => l.Amount);

    public static PointsAccount Open(string myKeyId) => new(myKeyId, 0, null, [], []);

    /// <summary>Rebuilds stored state; refuses state that breaks the invariants.</summary>
    public static PointsAccount Restore(string myKeyId, long sequence, string? defaultMunicipalityCode, IEnumerable<HoldingLot> holding, IEnumerable<MunicipalLot> lots) =>
        new(myKeyId, sequence, defaultMunicipalityCode, [.. holding], [.. lots]);

    /// <summary>Every point the account holds in a municipality, expired lots the timer has not yet written off included.</summary>
    public long BalanceIn(string municipalityCode) => Lots.Where(l => l.MunicipalityCode == municipalityCode).Sum(l => l.Amount);

    /// <summary>Points of a municipality that can be spent at <paramref name="now"/>.</summary>
    public long AvailableIn(string municipalityCode, DateTimeOffset now) =>
        Lots.Where(l => l.MunicipalityCode == municipalityCode && l.IsUsableAt(now)).Sum(l => l.Amount);

    /// <summary>Partner points converted into the holding balance, to be assigned by <c>now + holdingPeriod</c>.</summary>
    public PointsChange ConvertPartnerPoints(long amount, PointsSource source, DateTimeOffset now, TimeSpan holdingPeriod)
    {
        RequirePositive(amount);
        var after = With(holding: AddHolding(Holding, new HoldingLot(amount, now, HoldingDeadline(now, holdingPeriod)), now));
        return Change(after, [Entry(1, PointsEntryKind.PartnerConversion, now, amount, amount, null, 0, source: source)]);
    }

    /// <summary>Points granted by a municipality straight into its balance.</summary>
    public PointsChange Grant(string municipalityCode, long amount, PointsSource source, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        RequirePositive(amount);
        var after = With(lots: AddLot(Lots, municipalityCode, amount, expiresAt));
        return Change(after, [Entry(1, PointsEntryKind.MunicipalGrant, now, amount, 0, municipalityCode, amount, source: source, lots: [new LotMovement(amount, expiresAt)])]);
    }

    /// <summary>The citizen moves holding points to a municipality, earliest deadline first.</summary>
    public PointsChange Assign(string municipalityCode, long amount, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        RequirePositive(amount);
        if (HoldingBalance < amount)
        {
            throw new ServiceException(ErrorCodes.InsufficientBalance, "The holding balance is smaller than the amount to assign.");
        }

        var holding = TakeHolding(amount);
        var after = With(holding: holding, lots: AddLot(Lots, municipalityCode, amount, expiresAt));
        return Change(after, [Entry(1, PointsEntryKind.Assignment, now, amount, -amount, municipalityCode, amount, lots: [new LotMovement(amount, expiresAt)])]);
    }

    /// <summary>
    /// Moves every holding lot whose deadline has passed to the default municipality; nothing when
    /// none is overdue or no default is set (the points then wait for the citizen).
    /// </summary>
    public PointsChange AssignOverdueToDefault(DateTimeOffset now, Func<string, DateTimeOffset?> expiresAtIn)
    {
        ArgumentNullException.ThrowIfNull(expiresAtIn);
        var overdue = Holding.Where(l => l.AssignBy <= now).ToList();
        if (DefaultMunicipalityCode is null || overdue.Count == 0)
        {
            return Change(this, []);
        }

        var amount = overdue.Sum(l => l.Amount);
        var expiresAt = expiresAtIn(DefaultMunicipalityCode);
        var after = With(holding: [.. Holding.Where(l => l.AssignBy > now)], lots: AddLot(Lots, DefaultMunicipalityCode, amount, expiresAt));
        return Change(after, [Entry(1, PointsEntryKind.AutoAssignment, now, amount, -amount, DefaultMunicipalityCode, amount, lots: [new LotMovement(amount, expiresAt)])]);
    }

    /// <summary>A merchant of <paramref name="municipalityCode"/> takes usable points of that municipality, earliest expiry first.</summary>
    public PointsChange Debit(string municipalityCode, long amount, string merchantId, DateTimeOffset now)
    {
        RequirePositive(amount);
        if (AvailableIn(municipalityCode, now) < amount)
        {
            throw new ServiceException(ErrorCodes.InsufficientBalance, "The account does not hold enough usable points of the merchant's municipality.");
        }

        var taken = new List<LotMovement>();
        var lots = Lots.ToBuilder();
        var remaining = amount;
        foreach (var lot in Lots.Where(l => l.MunicipalityCode == municipalityCode && l.IsUsableAt(now)).OrderBy(l => l.ExpiresAt ?? DateTimeOffset.MaxValue))
        {
            if (remaining == 0)
            {
                break;
            }

            var take = Math.Min(remaining, lot.Amount);
            remaining -= take;
            taken.Add(new LotMovement(take, lot.ExpiresAt));
            lots.Remove(lot);
            if (lot.Amount > take)
            {
                lots.Add(lot with { Amount = lot.Amount - take });
            }
        }

        var after = With(lots: lots.ToImmutable());
        return Change(after, [Entry(1, PointsEntryKind.Debit, now, amount, 0, municipalityCode, -amount, merchantId: merchantId, lots: taken)]);
    }

    /// <summary>Writes off every lot expired at <paramref name="now"/>: one expiry entry per municipality.</summary>
    public PointsChange ExpireDue(DateTimeOffset now)
    {
        var expired = Lots.Where(l => !l.IsUsableAt(now)).GroupBy(l => l.MunicipalityCode).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var entries = expired.Select((group, i) =>
        {
            var amount = group.Sum(l => l.Amount);
            return Entry(i + 1, PointsEntryKind.Expiry, now, amount, 0, group.Key, -amount, lots: [.. group.Select(l => new LotMovement(l.Amount, l.ExpiresAt))]);
        }).ToList();
        return Change(With(lots: [.. Lots.Where(l => l.IsUsableAt(now))]), entries);
    }

    /// <summary>Sets where overdue holding points go; writes no entry.</summary>
    public PointsAccount WithDefaultMunicipality(string municipalityCode)
    {
        ArgumentException.ThrowIfNullOrEmpty(municipalityCode);
        return new PointsAccount(MyKeyId, Sequence, municipalityCode, Holding, Lots);
    }

    /// <summary>
    /// When points converted at <paramref name="now"/> go to the default municipality: the start
    /// (00:00 JST) of the day the holding period ends, so that one day's conversions share a lot and
    /// no point waits longer than the period. A period shorter than that rounding keeps its exact end.
    /// </summary>
    public static DateTimeOffset HoldingDeadline(DateTimeOffset now, TimeSpan holdingPeriod)
    {
        var end = (now + holdingPeriod).ToOffset(Jst);
        var dayStart = new DateTimeOffset(end.Year, end.Month, end.Day, 0, 0, 0, Jst).ToUniversalTime();
        return dayStart > now ? dayStart : now + holdingPeriod;
    }

    private static void RequirePositive(long amount)
    {
        if (amount <= 0)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "amount must be a positive whole number.");
        }
    }

    private static ImmutableArray<MunicipalLot> AddLot(ImmutableArray<MunicipalLot> lots, string municipalityCode, long amount, DateTimeOffset? expiresAt)
    {
        // Lots that expire together are one lot, so an account holds few lots however often it is credited.
        var same = lots.FirstOrDefault(l => l.MunicipalityCode == municipalityCode && l.ExpiresAt == expiresAt);
        return same is null
            ? lots.Add(new MunicipalLot(municipalityCode, amount, expiresAt))
            : lots.Replace(same, same with { Amount = checked(same.Amount + amount) });
    }

    /// <summary>
    /// Adds a lot to holding, merged with the lot of the same deadline; lots already overdue (waiting
    /// for a default municipality) are one lot with the earliest deadline, as they all move together.
    /// So holding keeps one lot per future deadline day plus at most one overdue lot.
    /// </summary>
    private static ImmutableArray<HoldingLot> AddHolding(ImmutableArray<HoldingLot> holding, HoldingLot lot, DateTimeOffset now)
    {
        var merged = holding.Add(lot)
            .GroupBy(l => l.AssignBy <= now ? DateTimeOffset.MinValue : l.AssignBy)
            .Select(g => new HoldingLot(g.Aggregate(0L, (sum, l) => checked(sum + l.Amount)), g.Min(l => l.ConvertedAt), g.Min(l => l.AssignBy)));
        return [.. merged.OrderBy(l => l.AssignBy)];
    }

    private ImmutableArray<HoldingLot> TakeHolding(long amount)
    {
        var holding = new List<HoldingLot>();
        var remaining = amount;
        foreach (var lot in Holding.OrderBy(l => l.AssignBy))
        {
            var take = Math.Min(remaining, lot.Amount);
            remaining -= take;
            if (lot.Amount > take)
            {
                holding.Add(lot with { Amount = lot.Amount - take });
            }
        }

        return [.. holding];
    }

    private PointsAccount With(ImmutableArray<HoldingLot>? holding = null, ImmutableArray<MunicipalLot>? lots = null) =>
        new(MyKeyId, Sequence, DefaultMunicipalityCode, holding ?? Holding, lots ?? Lots);

    private PointsEntry Entry(int offset, PointsEntryKind kind, DateTimeOffset at, long amount, long holdingDelta, string? municipalityCode, long municipalityDelta,
        string? merchantId = null, PointsSource? source = null, IReadOnlyList<LotMovement>? lots = null) =>
        new(Sequence + offset, kind, at, amount, holdingDelta, municipalityCode, municipalityDelta, merchantId, source, lots);

    private PointsChange Change(PointsAccount after, IReadOnlyList<PointsEntry> entries)
    {
        // Only growth is refused: a change that keeps or lowers the number of lots (a debit, an expiry) always goes through.
        var count = after.Holding.Length + after.Lots.Length;
        if (count > MaxLots && count > Holding.Length + Lots.Length)
        {
            throw new ServiceException(ErrorCodes.PointsLotLimitReached, $"The account would keep more than {MaxLots} points lots.");
        }

        return new(this, new PointsAccount(MyKeyId, Sequence + entries.Count, after.DefaultMunicipalityCode, after.Holding, after.Lots), [.. entries]);
    }
}

/// <summary>What one operation does to an account: the entries to append and the state after them.</summary>
public sealed record PointsChange(PointsAccount Before, PointsAccount After, ImmutableArray<PointsEntry> Entries)
{
    /// <summary>Whether the operation changes nothing that is stored.</summary>
    public bool IsEmpty => Entries.IsEmpty && After.DefaultMunicipalityCode == Before.DefaultMunicipalityCode;

    /// <summary>This change followed by another on its result, as one change.</summary>
    public PointsChange Then(Func<PointsAccount, PointsChange> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var second = next(After);
        return new PointsChange(Before, second.After, Entries.AddRange(second.Entries));
    }

    /// <summary>Timer work the new lots create: their holding deadlines and expiries.</summary>
    public IEnumerable<PointsDueItem> NewDueItems()
    {
        var oldHolding = Before.Holding.Select(l => l.AssignBy).ToHashSet();
        var oldExpiries = Before.Lots.Select(l => (l.MunicipalityCode, l.ExpiresAt)).ToHashSet();
        return After.Holding.Where(l => !oldHolding.Contains(l.AssignBy)).Select(l => new PointsDueItem(After.MyKeyId, PointsDueKind.AutoAssignment, l.AssignBy))
            .Concat(After.Lots.Where(l => l.ExpiresAt is not null && !oldExpiries.Contains((l.MunicipalityCode, l.ExpiresAt)))
                .Select(l => new PointsDueItem(After.MyKeyId, PointsDueKind.Expiry, l.ExpiresAt!.Value)))
            .Distinct();
    }
}
