using System.Text.RegularExpressions;

namespace ServerlessMyKey.Infra.Tests;

/// <summary>
/// Just enough reading of Bicep source for the infra tests: comments removed, one variable's
/// expression cut out by bracket matching, names picked out with regular expressions. It relies on
/// the conventions stated next to <c>var appSettings</c> in <c>infra/modules/function-app.bicep</c>.
/// </summary>
internal static partial class BicepSource
{
    /// <summary>Replaces <c>//</c> and <c>/* */</c> comments with spaces (newlines kept), leaving string literals alone.</summary>
    public static string StripComments(string source)
    {
        var text = source.ToCharArray();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\'')
            {
                i = StringEnd(source, i);
            }
            else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] is '/' or '*')
            {
                var end = text[i + 1] == '/' ? IndexOrEnd(source, "\n", i) : IndexOrEnd(source, "*/", i + 2) + 2;
                for (var j = i; j < Math.Min(end, text.Length); j++)
                {
                    if (text[j] != '\n')
                    {
                        text[j] = ' ';
                    }
                }

                i = end - 1;
            }
        }

        return new string(text);
    }

    /// <summary>The expression assigned by <c>var name = …</c>, up to the line where its brackets close.</summary>
    public static string VariableExpression(string source, string name)
    {
        var code = StripComments(source);
        var declaration = Regex.Match(code, $@"(?m)^var\s+{Regex.Escape(name)}\s*=");
        if (!declaration.Success)
        {
            throw new InvalidOperationException($"No 'var {name} =' in the Bicep source.");
        }

        var start = declaration.Index + declaration.Length;
        var depth = 0;
        var seenCode = false;
        for (var i = start; i < code.Length; i++)
        {
            switch (code[i])
            {
                case '\'':
                    i = StringEnd(code, i);
                    seenCode = true;
                    break;
                case '(' or '[' or '{':
                    depth++;
                    seenCode = true;
                    break;
                case ')' or ']' or '}':
                    depth--;
                    break;
                case '\n' when depth == 0 && seenCode:
                    return code[start..i];
                case var c:
                    seenCode |= !char.IsWhiteSpace(c);
                    break;
            }
        }

        return code[start..];
    }

    /// <summary>
    /// Setting names in an app-settings expression: keys of its object literals (<c>Name: value</c>,
    /// one per line) and key lambdas of its <c>toObject(list, x => 'A__${x.id}__B', …)</c> calls, whose
    /// interpolations become <c>*</c>.
    /// </summary>
    public static IReadOnlyList<string> SettingNames(string expression)
    {
        var literal = ObjectKeyRegex().Matches(expression).Select(m => m.Groups["name"].Value);
        var built = ToObjectKeyRegex().Matches(expression)
            .Select(m => InterpolationRegex().Replace(m.Groups["name"].Value, "*"));
        return [.. literal.Concat(built)];
    }

    /// <summary><c>var name = '&lt;guid&gt;'</c> declarations.</summary>
    public static IReadOnlyDictionary<string, string> GuidVariables(string source) =>
        GuidVariableRegex().Matches(StripComments(source))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["guid"].Value, StringComparer.Ordinal);

    /// <summary>GUID literals written anywhere but in a <c>var name = '&lt;guid&gt;'</c> declaration, comments excluded.</summary>
    public static IReadOnlyList<string> GuidLiteralsOutsideVariables(string source) =>
        [.. GuidRegex().Matches(GuidVariableRegex().Replace(StripComments(source), string.Empty)).Select(m => m.Value)];

    /// <summary>Index of the quote that closes the string literal opened at <paramref name="openingQuote"/> (<c>\'</c> escapes a quote).</summary>
    private static int StringEnd(string text, int openingQuote)
    {
        for (var i = openingQuote + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '\'')
            {
                return i;
            }
        }

        return text.Length;
    }

    private static int IndexOrEnd(string text, string value, int from)
    {
        var index = text.IndexOf(value, from, StringComparison.Ordinal);
        return index < 0 ? text.Length : index;
    }

    [GeneratedRegex(@"(?m)^\s*(?:'(?<name>[^'$\\]+)'|(?<name>[A-Za-z_][A-Za-z0-9_]*))\s*:")]
    private static partial Regex ObjectKeyRegex();

    [GeneratedRegex(@"toObject\(\s*[^,]+?,\s*\w+\s*=>\s*'(?<name>[^']+)'")]
    private static partial Regex ToObjectKeyRegex();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex InterpolationRegex();

    [GeneratedRegex(@"(?m)^var\s+(?<name>\w+)\s*=\s*'(?<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})'\s*$")]
    private static partial Regex GuidVariableRegex();

    [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidRegex();
}
