using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ServerlessMyKey.Core.Json;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): the byte form that delegation documents and
/// statements are signed over. Input must be I-JSON (RFC 7493): no duplicate names, no lone
/// surrogates, numbers that are finite IEEE 754 doubles.
/// </summary>
public static class JsonCanonicalizer
{
    private const int MaxDepth = 32;

    /// <summary>The canonical UTF-8 bytes of <paramref name="json"/>; <see cref="FormatException"/> when it is not I-JSON.</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
            return Canonicalize(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The input is not valid JSON.", ex);
        }
    }

    /// <summary>The canonical UTF-8 bytes of a JSON string.</summary>
    public static byte[] Canonicalize(string json) => Canonicalize(Encoding.UTF8.GetBytes(json));

    /// <summary>The canonical UTF-8 bytes of an element already parsed.</summary>
    public static byte[] Canonicalize(JsonElement element)
    {
        var builder = new StringBuilder();
        Write(builder, element, depth: 0);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Serializes <paramref name="value"/> with <paramref name="options"/>, then canonicalizes.</summary>
    public static byte[] Serialize<T>(T value, JsonSerializerOptions options) =>
        Canonicalize(JsonSerializer.SerializeToUtf8Bytes(value, options));

    private static void Write(StringBuilder output, JsonElement element, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException("The input is nested too deeply.");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(output, element, depth);
                break;
            case JsonValueKind.Array:
                output.Append('[');
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        output.Append(',');
                    }

                    first = false;
                    Write(output, item, depth + 1);
                }

                output.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(output, ReadString(element));
                break;
            case JsonValueKind.Number:
                output.Append(FormatNumber(double.Parse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)));
                break;
            case JsonValueKind.True:
                output.Append("true");
                break;
            case JsonValueKind.False:
                output.Append("false");
                break;
            case JsonValueKind.Null:
                output.Append("null");
                break;
            default:
                throw new FormatException("Unexpected JSON value.");
        }
    }

    // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names, compared as
    // unsigned integers; string.CompareOrdinal does exactly that.
    private static void WriteObject(StringBuilder output, JsonElement element, int depth)
    {
        var members = new List<(string Name, JsonElement Value)>();
        foreach (var property in element.EnumerateObject())
        {
            members.Add((ReadName(property), property.Value));
        }

        members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        output.Append('{');
        for (var i = 0; i < members.Count; i++)
        {
            // I-JSON §2.3: member names unique.
            if (i > 0 && string.Equals(members[i - 1].Name, members[i].Name, StringComparison.Ordinal))
            {
                throw new FormatException("The input has a duplicate member name.");
            }

            if (i > 0)
            {
                output.Append(',');
            }

            WriteString(output, members[i].Name);
            output.Append(':');
            Write(output, members[i].Value, depth + 1);
        }

        output.Append('}');
    }

    private static string ReadName(JsonProperty property)
    {
        try
        {
            return RequireWellFormed(property.Name);
        }
        catch (InvalidOperationException ex)
        {
            throw new FormatException("A member name is not valid Unicode.", ex);
        }
    }

    private static string ReadString(JsonElement element)
    {
        try
        {
            return RequireWellFormed(element.GetString()!);
        }
        catch (InvalidOperationException ex)
        {
            throw new FormatException("A string is not valid Unicode.", ex);
        }
    }

    // I-JSON §2.1: no lone surrogates (they have no UTF-8 form).
    private static string RequireWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                throw new FormatException("A string holds a lone surrogate.");
            }
        }

        return value;
    }

    // RFC 8785 §3.2.2.2: only '"', '\' and the C0 controls are escaped; \b \t \n \f \r in short
    // form, the other controls as \u00xx in lower-case hex; everything else as it is.
    private static void WriteString(StringBuilder output, string value)
    {
        output.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\b': output.Append("\\b"); break;
                case '\t': output.Append("\\t"); break;
                case '\n': output.Append("\\n"); break;
                case '\f': output.Append("\\f"); break;
                case '\r': output.Append("\\r"); break;
                case < ' ':
                    output.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    output.Append(c);
                    break;
            }
        }

        output.Append('"');
    }

    /// <summary>
    /// RFC 8785 §3.2.2.3: the ECMAScript Number-to-String algorithm (ECMA-262 §7.1.12.1) applied to
    /// the shortest round-trip digits of the double.
    /// </summary>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new FormatException("NaN and Infinity have no JSON form.");
        }

        if (value == 0)
        {
            return "0"; // also for -0
        }

        // .NET's "R" gives the shortest digits that round-trip, like ECMAScript; only the layout differs.
        var roundTrip = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var (digits, exponent) = Decompose(roundTrip);

        // value = 0.d1d2…dk × 10^n in the terms of ECMA-262: n is the decimal point's position.
        var k = digits.Length;
        var n = exponent;
        var result = new StringBuilder(32);
        if (value < 0)
        {
            result.Append('-');
        }

        if (k <= n && n <= 21)
        {
            result.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            result.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            result.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var e = n - 1;
            result.Append(digits[0]);
            if (k > 1)
            {
                result.Append('.').Append(digits, 1, k - 1);
            }

            result.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return result.ToString();
    }

    // Splits "123.45", "1E+21" or "1.5E-07" into significant digits without leading/trailing zeros
    // and the position n of the decimal point relative to them.
    private static (string Digits, int PointPosition) Decompose(string roundTrip)
    {
        var exponentAt = roundTrip.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? roundTrip : roundTrip[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(roundTrip.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var pointAt = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerPart = pointAt < 0 ? mantissa : mantissa[..pointAt];
        var fraction = pointAt < 0 ? string.Empty : mantissa[(pointAt + 1)..];
        var all = integerPart + fraction;
        var point = integerPart.Length + exponent;
        var leading = all.Length - all.TrimStart('0').Length;
        all = all[leading..];
        point -= leading;
        all = all.TrimEnd('0');
        return (all, point);
    }
}
