namespace ServerlessMyKey.Core.Points;

// Requests and responses of the Points API (API.md "Points"); property names are the JSON names in camelCase.

/// <summary><c>POST /api/points/merchants</c>. <c>ClientId</c> is the service client that may debit for the merchant (default: the merchant id).</summary>
public sealed record MerchantRegistration(string MerchantId, string Name, string MunicipalityCode, string? ClientId = null);

/// <summary>A merchant (加盟店): it belongs to one municipality and takes only that municipality's points.</summary>
public sealed record Merchant(string MerchantId, string Name, string MunicipalityCode, string ClientId);

/// <summary><c>POST /api/points/accounts/{myKeyId}/credits</c>. <c>MunicipalityCode</c> is required for a municipal grant and not used for a partner conversion.</summary>
public sealed record CreditRequest(int Amount, PointsSource Source, string? MunicipalityCode = null);

/// <summary><c>POST /api/points/accounts/{myKeyId}/assignments</c>.</summary>
public sealed record AssignmentRequest(string MunicipalityCode, int Amount);

/// <summary><c>POST /api/points/accounts/{myKeyId}/debits</c>.</summary>
public sealed record DebitRequest(int Amount, string MerchantId);

/// <summary><c>PUT /api/points/accounts/{myKeyId}/default-municipality</c>.</summary>
public sealed record DefaultMunicipalityRequest(string MunicipalityCode);

/// <summary>Balances as callers see them at one instant.</summary>
public sealed record PointsBalance(long Holding, IReadOnlyList<MunicipalBalance> Municipalities, IReadOnlyList<HoldingLotView> HoldingLots)
{
    public static PointsBalance Of(PointsAccount account, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        var municipalities = account.Lots.GroupBy(l => l.MunicipalityCode)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new MunicipalBalance(
                g.Key,
                g.Where(l => l.IsUsableAt(now)).Sum(l => l.Amount),
                [.. g.Where(l => l.ExpiresAt is not null && l.IsUsableAt(now)).OrderBy(l => l.ExpiresAt).Select(l => new ExpiringPoints(l.Amount, l.ExpiresAt!.Value))]))
            .ToList();
        return new PointsBalance(account.HoldingBalance, municipalities, [.. account.Holding.OrderBy(l => l.AssignBy).Select(l => new HoldingLotView(l.Amount, l.AssignBy))]);
    }
}

/// <summary>A municipality's usable points and the lots among them that expire, soonest first.</summary>
public sealed record MunicipalBalance(string MunicipalityCode, long Available, IReadOnlyList<ExpiringPoints> Expiring);

public sealed record ExpiringPoints(long Amount, DateTimeOffset ExpiresAt);

/// <summary>Holding points and when they go to the default municipality if not assigned before.</summary>
public sealed record HoldingLotView(long Amount, DateTimeOffset AssignBy);

/// <summary>The answer to a credit, assignment or debit.</summary>
public sealed record PointsMovementResponse(string EntryId, PointsBalance Balance);

/// <summary>The answer to <c>PUT …/default-municipality</c>.</summary>
public sealed record DefaultMunicipalityResponse(string MyKeyId, string DefaultMunicipalityCode, PointsBalance Balance);

/// <summary><c>GET /api/points/accounts/{myKeyId}</c>: balances and a page of entries, newest first.</summary>
public sealed record PointsStatement(
    string MyKeyId,
    string? DefaultMunicipalityCode,
    PointsBalance Balance,
    IReadOnlyList<PointsEntryView> Entries,
    string? ContinuationToken);

public sealed record PointsEntryView(
    string EntryId,
    PointsEntryKind Kind,
    long Amount,
    DateTimeOffset At,
    long HoldingDelta,
    string? MunicipalityCode,
    long MunicipalityDelta,
    string? MerchantId,
    PointsSource? Source,
    IReadOnlyList<LotMovement>? Lots)
{
    public static PointsEntryView Of(string myKeyId, PointsEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(PointsEntry.IdOf(myKeyId, entry.Sequence), entry.Kind, entry.Amount, entry.At, entry.HoldingDelta, entry.MunicipalityCode,
            entry.MunicipalityDelta, entry.MerchantId, entry.Source, entry.Lots);
    }
}

/// <summary>Roles of service clients for points (API.md).</summary>
public static class PointsRoles
{
    public const string Admin = "points.admin";
    public const string Credit = "points.credit";
    public const string Debit = "points.debit";
    public const string Read = "points.read";
}
