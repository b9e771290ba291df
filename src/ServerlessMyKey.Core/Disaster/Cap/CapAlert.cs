namespace ServerlessMyKey.Core.Disaster.Cap;

// CAP 1.2 (OASIS Common Alerting Protocol, 2010): the parts of <alert> this service reads.

/// <summary>One CAP 1.2 <c>&lt;alert&gt;</c> as parsed by <see cref="CapParser"/>.</summary>
public sealed record CapAlert(
    string Identifier,
    string Sender,
    DateTimeOffset Sent,
    string Status,
    string MsgType,
    string Scope,
    IReadOnlyList<CapReference> References,
    IReadOnlyList<CapInfo> Infos);

/// <summary>One <c>sender,identifier,sent</c> triple of <c>&lt;references&gt;</c>.</summary>
public sealed record CapReference(string Sender, string Identifier, DateTimeOffset Sent);

public sealed record CapInfo(
    string Language,
    IReadOnlyList<string> Categories,
    string Event,
    string Urgency,
    string Severity,
    string Certainty,
    DateTimeOffset? Effective,
    DateTimeOffset? Expires,
    string? Headline,
    string? Instruction,
    IReadOnlyList<CapValue> Parameters,
    IReadOnlyList<CapArea> Areas);

/// <summary>A <c>valueName</c>/<c>value</c> pair (<c>parameter</c>, <c>geocode</c>, <c>eventCode</c>).</summary>
public sealed record CapValue(string ValueName, string Value);

public sealed record CapArea(string AreaDesc, IReadOnlyList<CapValue> Geocodes);

/// <summary>The closed value lists of CAP 1.2 that this service checks.</summary>
public static class CapValues
{
    public const string Namespace = "urn:oasis:names:tc:emergency:cap:1.2";

    public static readonly IReadOnlySet<string> Statuses = new HashSet<string>(StringComparer.Ordinal) { "Actual", "Exercise", "System", "Test", "Draft" };
    public static readonly IReadOnlySet<string> MsgTypes = new HashSet<string>(StringComparer.Ordinal) { "Alert", "Update", "Cancel", "Ack", "Error" };
    public static readonly IReadOnlySet<string> Scopes = new HashSet<string>(StringComparer.Ordinal) { "Public", "Restricted", "Private" };
    public static readonly IReadOnlySet<string> Categories = new HashSet<string>(StringComparer.Ordinal)
        { "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other" };
    public static readonly IReadOnlySet<string> ResponseTypes = new HashSet<string>(StringComparer.Ordinal)
        { "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None" };
    public static readonly IReadOnlySet<string> Urgencies = new HashSet<string>(StringComparer.Ordinal) { "Immediate", "Expected", "Future", "Past", "Unknown" };
    public static readonly IReadOnlySet<string> Severities = new HashSet<string>(StringComparer.Ordinal) { "Extreme", "Severe", "Moderate", "Minor", "Unknown" };
    public static readonly IReadOnlySet<string> Certainties = new HashSet<string>(StringComparer.Ordinal) { "Observed", "Likely", "Possible", "Unlikely", "Unknown" };
}
