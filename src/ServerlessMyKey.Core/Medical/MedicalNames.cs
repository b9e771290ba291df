using System.Collections.Frozen;
using System.Text;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// The 氏名 match of 保険証利用登録 (the insurer's record against the signing certificate) and of the JPKI
/// complement (the HPKI certificate against the JPKI one). Two registers spell one person's name with
/// 旧字体 or 異体字 on one side and the common form on the other, so both sides are folded alike: the NFKC
/// mappings names need (<c>MedicalNames.Nfkc.cs</c>: half-width kana, full-width ASCII, compatibility
/// ideographs, radicals), white space removed, then the small table of common variant pairs below. The
/// date of birth still has to match exactly; the table stays small on purpose (each pair is a guess that
/// two spellings are one name, acceptable only because the numbers or a second certificate must match too).
/// </summary>
public static partial class MedicalNames
{
    /// <summary>Variant → the form compared (docs/medical.md lists them). 𠮷 is a surrogate pair, hence strings.</summary>
    public static readonly IReadOnlyList<(string Variant, string Common)> Variants =
    [
        ("髙", "高"), ("﨑", "崎"), ("嵜", "崎"), ("邊", "辺"), ("邉", "辺"), ("齋", "斎"), ("齊", "斎"), ("斉", "斎"),
        ("澤", "沢"), ("濱", "浜"), ("國", "国"), ("廣", "広"), ("櫻", "桜"), ("德", "徳"), ("𠮷", "吉"), ("惠", "恵"),
        ("眞", "真"), ("榮", "栄"), ("實", "実"), ("藏", "蔵"), ("關", "関"), ("瀨", "瀬"), ("淺", "浅"), ("圓", "円"),
    ];

    private static readonly FrozenDictionary<char, char> Nfkc = NfkcFrom.Zip(NfkcTo).ToFrozenDictionary(p => p.First, p => p.Second);

    private static readonly FrozenDictionary<(char, char), char> Voiced =
        VoicedBase.Zip(VoicedMark, VoicedComposed).ToFrozenDictionary(t => (t.First, t.Second), t => t.Third);

    public static bool AreSame(string? recorded, string? certified) =>
        recorded is not null && certified is not null
        && Fold(recorded) is { Length: > 0 } folded
        && string.Equals(folded, Fold(certified), StringComparison.Ordinal);

    /// <summary>The compared form: NFKC subset, no white space, variants replaced.</summary>
    public static string Fold(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length);
        foreach (var original in name)
        {
            var c = Nfkc.GetValueOrDefault(original, original);
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            // Canonical composition of a kana with a (half-width, now combining) voiced mark: ｶﾞ → ガ.
            if (builder.Length > 0 && Voiced.TryGetValue((builder[^1], c), out var composed))
            {
                builder[^1] = composed;
                continue;
            }

            builder.Append(c);
        }

        foreach (var (variant, common) in Variants)
        {
            builder.Replace(variant, common);
        }

        return builder.ToString();
    }
}
