using System.Globalization;
using System.Text.Json.Serialization;

namespace ServerlessMyKey.Core.Points;

/// <summary>What an entry of the ledger records.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PointsEntryKind>))]
public enum PointsEntryKind
{
    /// <summary>Partner points or miles converted into 自治体ポイント; they land in holding (one way, never back).</summary>
    [JsonStringEnumMemberName("partner_conversion")]
    PartnerConversion,

    /// <summary>行政ポイント granted by a municipality; they land in that municipality.</summary>
    [JsonStringEnumMemberName("municipal_grant")]
    MunicipalGrant,

    /// <summary>The citizen moved holding points to a municipality.</summary>
    [JsonStringEnumMemberName("assignment")]
    Assignment,

    /// <summary>Holding points past their deadline moved to the default municipality.</summary>
    [JsonStringEnumMemberName("auto_assignment")]
    AutoAssignment,

    /// <summary>A merchant took points of its municipality.</summary>
    [JsonStringEnumMemberName("debit")]
    Debit,

    /// <summary>Lots of a municipality reached their expiry.</summary>
    [JsonStringEnumMemberName("expiry")]
    Expiry,
}

/// <summary>Who credited points: a partner (conversion) or a municipality (grant), with their id.</summary>
public sealed record PointsSource(string Kind, string Id)
{
    public const string Partner = "partner";
    public const string Municipality = "municipality";
}

/// <summary>Points an entry added to or took from one lot (always positive).</summary>
public sealed record LotMovement(long Amount, DateTimeOffset? ExpiresAt);

/// <summary>
/// One immutable entry of an account's ledger. Its deltas say how it changed the holding balance
/// and at most one municipality's balance, so every balance is the sum of its entries' deltas.
/// </summary>
public sealed record PointsEntry(
    long Sequence,
    PointsEntryKind Kind,
    DateTimeOffset At,
    long Amount,
    long HoldingDelta,
    string? MunicipalityCode,
    long MunicipalityDelta,
    string? MerchantId = null,
    PointsSource? Source = null,
    IReadOnlyList<LotMovement>? Lots = null)
{
    /// <summary>The entry's public id: the MyKey ID and the entry's sequence number in that account.</summary>
    public static string IdOf(string myKeyId, long sequence) => myKeyId + "-" + sequence.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Work a timer must do for an account at a time: assign overdue holding points, or expire lots.</summary>
public enum PointsDueKind
{
    AutoAssignment,
    Expiry,
}

/// <summary>One account's due work, kept in an index so the timers need not scan every account.</summary>
public sealed record PointsDueItem(string MyKeyId, PointsDueKind Kind, DateTimeOffset DueAt);
