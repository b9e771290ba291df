using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Jpki.Tests.TestPki;

/// <summary>
/// A verifier wired as in production — pinned development roots, CRL files, a clock — with fresh
/// empty CRLs for both roots, so that every default <see cref="LeafSpec"/> verifies.
/// </summary>
internal sealed class VerifierHarness : IDisposable
{
    private readonly Dictionary<TestRoot, string> _crlPaths = [];

    /// <param name="roots">The trusted roots; by default the development authentication and signing roots.</param>
    /// <param name="writeCrls">Whether each root starts with a fresh, empty CRL.</param>
    /// <param name="extraCrlFiles">Names of more CRL files (in <see cref="Directory"/>, none written yet), for roots with several CRLs.</param>
    public VerifierHarness(JpkiOptions? options = null, IReadOnlyList<TestRoot>? roots = null, bool writeCrls = true, IReadOnlyList<string>? extraCrlFiles = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("jpki-tests-").FullName;
        var trusted = roots ?? [DevelopmentPki.AuthenticationRoot, DevelopmentPki.SigningRoot];
        foreach (var root in trusted)
        {
            var path = Path.Combine(Directory, $"{root.Kind}-{root.Fingerprint[..8]}.crl");
            _crlPaths[root] = path;
            if (writeCrls)
            {
                WriteCrl(path, DevelopmentPki.Crl(root, DevelopmentPki.Now.AddHours(-1), DevelopmentPki.Now.AddDays(1)));
            }
        }

        Options = (options ?? new JpkiOptions()) with
        {
            Revocation = new JpkiRevocationOptions { CrlFiles = [.. _crlPaths.Values, .. (extraCrlFiles ?? []).Select(name => Path.Combine(Directory, name))], RefreshSeconds = 60 },
        };
        Anchors = JpkiTrustAnchors.Create(trusted.Select(root => root.ToAnchor()), Options.AllowTestRoots);
        Revocation = new CrlRevocationChecker(Options.Revocation.CrlFiles.Select(path => new FileCrlSource(path)), Anchors, Time, Options);
        Verifier = new JpkiCertificateVerifier(Anchors, Revocation, Time, Options);
    }

    public FakeTimeProvider Time { get; } = new(DevelopmentPki.Now);

    public string Directory { get; }

    public JpkiOptions Options { get; }

    public JpkiTrustAnchors Anchors { get; }

    public CrlRevocationChecker Revocation { get; }

    public JpkiCertificateVerifier Verifier { get; }

    public ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyAsync(LeafSpec spec, JpkiCertificateKind? expectedKind = null) =>
        Verifier.VerifyAsync(DevelopmentPki.Issue(spec), expectedKind ?? spec.Kind);

    /// <summary>Writes a CRL file; the new last-write time is what the file source notices.</summary>
    public static void WriteCrl(string path, byte[] crl)
    {
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, crl);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The CRL file of a trusted root (it may not exist yet).</summary>
    public string CrlPath(TestRoot root) => _crlPaths[root];

    /// <summary>Replaces a root's CRL.</summary>
    public void PublishCrl(TestRoot root, byte[] crl) => WriteCrl(CrlPath(root), crl);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

internal static class JpkiAssert
{
    public static T Succeeds<T>(JpkiResult<T> result)
        where T : class
    {
        Assert.True(result.Succeeded, $"expected success, got {result.Failure}");
        return result.Value;
    }

    public static void Succeeds(JpkiResult result) => Assert.True(result.Succeeded, $"expected success, got {result.Failure}");

    public static JpkiFailure Fails<T>(JpkiErrorCode expected, JpkiResult<T> result)
        where T : class
    {
        Assert.False(result.Succeeded, $"expected {JpkiErrors.Code(expected)}, but verification succeeded");
        Assert.True(expected == result.Failure.Code, $"expected {JpkiErrors.Code(expected)}, got {result.Failure}");
        return result.Failure;
    }

    public static JpkiFailure Fails(JpkiErrorCode expected, JpkiResult result)
    {
        Assert.False(result.Succeeded, $"expected {JpkiErrors.Code(expected)}, but verification succeeded");
        Assert.True(expected == result.Failure.Code, $"expected {JpkiErrors.Code(expected)}, got {result.Failure}");
        return result.Failure;
    }
}
