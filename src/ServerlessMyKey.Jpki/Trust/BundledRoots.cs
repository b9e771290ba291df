using System.Security.Cryptography;

namespace ServerlessMyKey.Jpki.Trust;

/// <summary>
/// The production JPKI roots shipped with this library (JPKI.md, "Trust anchors"). Generation 02
/// (signca02.cer / authca02.cer from J-LIS) is not available here: operators add it through
/// <c>Jpki:TrustAnchors:*</c>.
/// </summary>
internal static class BundledRoots
{
    public static IReadOnlyList<BundledRoot> All { get; } =
    [
        new("jpki-auth-ca-01.pem", JpkiCertificateKind.Authentication, "4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d"),
        new("jpki-auth-ca-03.pem", JpkiCertificateKind.Authentication, "64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5"),
        new("jpki-sign-ca-01.pem", JpkiCertificateKind.Signing, "19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355"),
        new("jpki-sign-ca-03.pem", JpkiCertificateKind.Signing, "d227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f"),
    ];

    /// <summary>The root's DER, after checking it against the pinned fingerprint.</summary>
    public static byte[] ReadDer(BundledRoot root)
    {
        var name = $"ServerlessMyKey.Jpki.Roots.{root.FileName}";
        using var stream = typeof(BundledRoots).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The bundled root {root.FileName} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var der = CertificateFiles.Decode(System.Text.Encoding.ASCII.GetBytes(reader.ReadToEnd())).Single();
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(der));
        if (fingerprint != root.PinnedSha256)
        {
            throw new InvalidOperationException($"The bundled root {root.FileName} does not match its pinned fingerprint.");
        }

        return der;
    }
}

internal sealed record BundledRoot(string FileName, JpkiCertificateKind Kind, string PinnedSha256);
