using System.Globalization;
using System.Text;

namespace ServerlessMyKey.Core.Disaster;

/// <summary>
/// The two tables as CSV that Excel opens as is: UTF-8 with a byte-order mark, CRLF, Japanese headers,
/// times in JST. Fields are quoted when needed, and a field that Excel would read as a formula
/// (starting with = + - @ or a tab, or their full-width forms) is prefixed with an apostrophe.
/// </summary>
public static class MunicipalityTableCsv
{
    public static byte[] EvacuationStatus(EvacuationStatusTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var csv = new StringBuilder();
        Line(csv, "氏名", "フリガナ", "地区", "確認状況", "避難所", "確認時刻", "発災時視聴状況");
        foreach (var row in table.Rows)
        {
            Line(csv, row.DisplayName, row.Furigana, row.DistrictCode,
                row.Confirmation == "evacuated" ? "避難済" : "未確認",
                row.ShelterId ?? string.Empty,
                row.CheckedInAt is { } at ? at.ToOffset(JapanTime.Offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : string.Empty,
                row.TvAtAlert switch { "on" => "ついている", "off" => "ついていない", _ => "不明" });
        }

        return WithBom(csv);
    }

    public static byte[] Presence(PresenceTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var csv = new StringBuilder();
        Line(csv, [.. new[] { "氏名", "フリガナ", "地区" }.Concat(table.Slots)]);
        foreach (var row in table.Rows)
        {
            Line(csv, [.. new[] { row.DisplayName, row.Furigana, row.DistrictCode }.Concat(table.Slots.Select(s => row.Slots.TryGetValue(s, out var home) && home ? "在宅" : "不在"))]);
        }

        return WithBom(csv);
    }

    private static void Line(StringBuilder csv, params string[] fields)
    {
        csv.Append(string.Join(',', fields.Select(Field))).Append("\r\n");
    }

    /// <summary>One CSV field: a value a spreadsheet would read as a formula gets an apostrophe first (the full-width
    /// ＝ ＋ － ＠ too, which a Japanese IME types and Excel may take as the ASCII ones), then quoted when it must be.</summary>
    internal static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '＝' or '＋' or '－' or '＠')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static byte[] WithBom(StringBuilder csv) => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
}
