using System.Text;

namespace ServerlessMyKey.Core.Delegation;

/// <summary>
/// Compares a name typed into a delegation with the 氏名 of a signing certificate. Certificates
/// separate surname and given name with U+3000 and may use full-width forms; documents are typed by
/// people. On both sides all white space is removed and full-width ASCII (U+FF01–U+FF5E) is read as
/// ASCII; nothing else is forgiven (no kana/kanji or 異体字 folding: that would be a guess about
/// identity). The app runs with invariant globalization, so Unicode normalization is not available.
/// </summary>
public static class HolderNames
{
    public static bool AreSame(string? typed, string? certified) =>
        typed is not null && certified is not null
        && string.Equals(Fold(typed), Fold(certified), StringComparison.Ordinal);

    private static string Fold(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c);
            }
        }

        return builder.ToString();
    }
}
