using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Disaster.Cap;

/// <summary>
/// Parses and checks a CAP 1.2 <c>&lt;alert&gt;</c> with a real XML parser: DTDs are refused (so no
/// external entity and no entity expansion), no resolver, a size limit on the document and on
/// every value. Each fault is 400 <c>invalid_cap</c> whose detail names the element by its path,
/// e.g. <c>alert/info[1]/urgency</c>. The rules are those of the CAP 1.2 standard (OASIS, 2010):
/// required elements, closed value lists, times with an explicit offset (never <c>Z</c>), no space,
/// comma, '&lt;' or '&amp;' in identifier and sender, references as <c>sender,identifier,sent</c>.
/// </summary>
public static partial class CapParser
{
    /// <summary>Largest CAP document accepted (bytes); a longer body is 413 <c>payload_too_large</c>.</summary>
    public const int MaxDocumentBytes = 256 * 1024;

    private const int MaxValueLength = 4096;
    private const int MaxRepeats = 100;
    private static readonly XNamespace Cap = CapValues.Namespace;

    public static CapAlert Parse(ReadOnlySpan<byte> document)
    {
        if (document.Length > MaxDocumentBytes)
        {
            throw new ServiceException(ErrorCodes.PayloadTooLarge, $"A CAP alert may be {MaxDocumentBytes / 1024} KiB.");
        }

        if (document.IsEmpty)
        {
            throw Invalid("alert", "the body is empty");
        }

        var root = Load(document.ToArray());
        if (root.Name.LocalName != "alert")
        {
            throw Invalid("alert", "the root element must be <alert>");
        }

        if (root.Name.Namespace != Cap)
        {
            throw Invalid("alert", $"the namespace must be {CapValues.Namespace}");
        }

        var identifier = RequireToken(root, "identifier", "alert");
        var sender = RequireToken(root, "sender", "alert");
        var sent = RequireTime(root, "sent", "alert");
        var status = RequireOneOf(root, "status", "alert", CapValues.Statuses);
        var msgType = RequireOneOf(root, "msgType", "alert", CapValues.MsgTypes);
        var scope = RequireOneOf(root, "scope", "alert", CapValues.Scopes);
        if (scope == "Restricted" && Optional(root, "restriction", "alert") is null)
        {
            throw Invalid("alert/restriction", "is required when scope is Restricted");
        }

        if (scope == "Private" && Optional(root, "addresses", "alert") is null)
        {
            throw Invalid("alert/addresses", "is required when scope is Private");
        }

        var references = ParseReferences(Optional(root, "references", "alert"));
        if (msgType is "Update" or "Cancel" or "Ack" or "Error" && references.Count == 0)
        {
            throw Invalid("alert/references", $"is required when msgType is {msgType}");
        }

        var infos = Repeated(root, "info", "alert").Select((info, i) => ParseInfo(info, $"alert/info[{i + 1}]")).ToList();
        return new CapAlert(identifier, sender, sent, status, msgType, scope, references, infos);
    }

    private static XElement Load(byte[] document)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxDocumentBytes,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CloseInput = true,
        };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(document, writable: false), settings);
            return XDocument.Load(reader, LoadOptions.None).Root ?? throw Invalid("alert", "no root element");
        }
        catch (XmlException ex)
        {
            // The parser's message names a line and position (and "DTD" when one was sent), never content.
            var reason = ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase)
                ? "a DOCTYPE (DTD) is not allowed"
                : $"not well-formed XML (line {ex.LineNumber}, position {ex.LinePosition})";
            throw Invalid("alert", reason);
        }
    }

    private static CapInfo ParseInfo(XElement info, string path)
    {
        var language = Optional(info, "language", path) ?? "en-US";
        var categories = Repeated(info, "category", path).Select((c, i) => OneOf(c.Value.Trim(), $"{path}/category[{i + 1}]", CapValues.Categories)).ToList();
        if (categories.Count == 0)
        {
            throw Invalid(path + "/category", "is required");
        }

        var eventName = RequireText(info, "event", path);
        foreach (var (responseType, i) in Repeated(info, "responseType", path).Select((r, i) => (r, i)))
        {
            OneOf(responseType.Value.Trim(), $"{path}/responseType[{i + 1}]", CapValues.ResponseTypes);
        }

        var urgency = RequireOneOf(info, "urgency", path, CapValues.Urgencies);
        var severity = RequireOneOf(info, "severity", path, CapValues.Severities);
        var certainty = RequireOneOf(info, "certainty", path, CapValues.Certainties);
        var effective = OptionalTime(info, "effective", path);
        _ = OptionalTime(info, "onset", path);
        var expires = OptionalTime(info, "expires", path);
        var parameters = Values(info, "parameter", path);
        _ = Values(info, "eventCode", path);
        var areas = Repeated(info, "area", path).Select((area, i) =>
        {
            var areaPath = $"{path}/area[{i + 1}]";
            return new CapArea(RequireText(area, "areaDesc", areaPath), Values(area, "geocode", areaPath));
        }).ToList();
        return new CapInfo(language, categories, eventName, urgency, severity, certainty, effective, expires,
            Optional(info, "headline", path), Optional(info, "instruction", path), parameters, areas);
    }

    private static List<CapValue> Values(XElement parent, string name, string path) =>
        [.. Repeated(parent, name, path).Select((element, i) =>
        {
            var itemPath = $"{path}/{name}[{i + 1}]";
            return new CapValue(RequireText(element, "valueName", itemPath), RequireText(element, "value", itemPath));
        })];

    private static List<CapReference> ParseReferences(string? text)
    {
        if (text is null)
        {
            return [];
        }

        var triples = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (triples.Length > MaxRepeats)
        {
            throw Invalid("alert/references", $"may name {MaxRepeats} messages");
        }

        return [.. triples.Select(triple =>
        {
            var parts = triple.Split(',');
            return parts.Length == 3 && IsToken(parts[0]) && IsToken(parts[1]) && TryTime(parts[2], out var sent)
                ? new CapReference(parts[0], parts[1], sent)
                : throw Invalid("alert/references", "must be space-separated sender,identifier,sent triples");
        })];
    }

    private static IEnumerable<XElement> Repeated(XElement parent, string name, string path)
    {
        var elements = parent.Elements(Cap + name).ToList();
        return elements.Count <= MaxRepeats ? elements : throw Invalid($"{path}/{name}", $"may appear {MaxRepeats} times");
    }

    private static string? Optional(XElement parent, string name, string path)
    {
        var elements = parent.Elements(Cap + name).Take(2).ToList();
        if (elements.Count == 0)
        {
            return null;
        }

        if (elements.Count > 1)
        {
            throw Invalid($"{path}/{name}", "may appear once");
        }

        if (elements[0].HasElements)
        {
            throw Invalid($"{path}/{name}", "must be text");
        }

        var value = elements[0].Value.Trim();
        if (value.Length == 0)
        {
            throw Invalid($"{path}/{name}", "is empty");
        }

        return value.Length <= MaxValueLength ? value : throw Invalid($"{path}/{name}", $"may be {MaxValueLength} characters");
    }

    private static string RequireText(XElement parent, string name, string path) =>
        Optional(parent, name, path) ?? throw Invalid($"{path}/{name}", "is required");

    private static string RequireToken(XElement parent, string name, string path)
    {
        var value = RequireText(parent, name, path);
        return IsToken(value) ? value : throw Invalid($"{path}/{name}", "must be 1–256 characters without spaces, commas, '<', '&' or control characters");
    }

    private static string RequireOneOf(XElement parent, string name, string path, IReadOnlySet<string> allowed) =>
        OneOf(RequireText(parent, name, path), $"{path}/{name}", allowed);

    private static string OneOf(string value, string path, IReadOnlySet<string> allowed) =>
        allowed.Contains(value) ? value : throw Invalid(path, "must be one of " + string.Join(", ", allowed));

    private static DateTimeOffset RequireTime(XElement parent, string name, string path) =>
        OptionalTime(parent, name, path) ?? throw Invalid($"{path}/{name}", "is required");

    private static DateTimeOffset? OptionalTime(XElement parent, string name, string path)
    {
        var value = Optional(parent, name, path);
        if (value is null)
        {
            return null;
        }

        return TryTime(value, out var time) ? time : throw Invalid($"{path}/{name}", "must be a time like 2026-11-29T09:00:00+09:00 (an explicit offset, not Z)");
    }

    private static bool TryTime(string value, out DateTimeOffset time)
    {
        time = default;
        return CapTime().IsMatch(value)
            && DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    /// <summary>
    /// Identifier and sender (and their copies in <c>references</c>): CAP forbids spaces, commas and the restricted
    /// characters; control and format characters (U+007F–U+009F, which XML lets through, bidi overrides, zero-width
    /// characters) are refused too, so no id shows one thing and is another.
    /// </summary>
    private static bool IsToken(string value) =>
        value.Length is > 0 and <= 256
        && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format || c is ',' or '<' or '&');

    private static ServiceException Invalid(string element, string reason) =>
        new(ErrorCodes.InvalidCap, $"CAP element {element}: {reason}.");

    [GeneratedRegex(@"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?[+-]\d{2}:\d{2}\z")]
    private static partial Regex CapTime();
}
