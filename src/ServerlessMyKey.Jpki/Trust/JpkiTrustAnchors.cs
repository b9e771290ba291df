using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Certificates;

namespace ServerlessMyKey.Jpki.Trust;

/// <summary>A root certificate to trust for one kind of certificate, with where it came from.</summary>
public sealed record JpkiRootCertificate(JpkiCertificateKind Kind, ReadOnlyMemory<byte> Der, string Source);

/// <summary>
/// The pinned roots, per purpose: the bundled production roots and the configured ones. Nothing else
/// is ever trusted — not the machine's certificate store, not a CA certificate sent by a card or client.
/// </summary>
/// <remarks>
/// A root is honoured for certificates issued while it was valid (the leaf's notBefore lies within
/// the root's validity) and — as RFC 5280 §6.1 treats a trust anchor as a name and a key, not a
/// certificate — is not refused merely because the root certificate itself has since expired.
/// J-LIS does not issue end-entity certificates that outlive their root.
/// </remarks>
public sealed class JpkiTrustAnchors
{
    private const string TestOrganization = "JPKI-TEST";

    private readonly JpkiTrustAnchor[] _authentication;
    private readonly JpkiTrustAnchor[] _signing;

    private JpkiTrustAnchors(List<JpkiTrustAnchor> anchors)
    {
        All = anchors;
        _authentication = [.. anchors.Where(a => a.Kind == JpkiCertificateKind.Authentication)];
        _signing = [.. anchors.Where(a => a.Kind == JpkiCertificateKind.Signing)];
    }

    public IReadOnlyList<JpkiTrustAnchor> All { get; }

    /// <summary>The bundled roots (if <see cref="JpkiOptions.BundledRoots"/>) plus the configured files.</summary>
    /// <exception cref="JpkiConfigurationException">A configured file is missing, unreadable, not a usable root, or a test root without <see cref="JpkiOptions.AllowTestRoots"/>.</exception>
    public static JpkiTrustAnchors Load(JpkiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var roots = new List<(JpkiRootCertificate Root, string Key)>();
        if (options.BundledRoots)
        {
            roots.AddRange(BundledRoots.All.Select(bundled =>
                (new JpkiRootCertificate(bundled.Kind, BundledRoots.ReadDer(bundled), $"bundled:{bundled.FileName}"), "Jpki:BundledRoots")));
        }

        roots.AddRange(ReadFiles(options.TrustAnchors.Authentication, JpkiCertificateKind.Authentication, "Jpki:TrustAnchors:Authentication"));
        roots.AddRange(ReadFiles(options.TrustAnchors.Signing, JpkiCertificateKind.Signing, "Jpki:TrustAnchors:Signing"));
        return Build(roots, options.AllowTestRoots);
    }

    /// <summary>Anchors from certificates already in memory (a development PKI, tests).</summary>
    /// <exception cref="JpkiConfigurationException">A certificate is not a usable root, or a test root without <paramref name="allowTestRoots"/>.</exception>
    public static JpkiTrustAnchors Create(IEnumerable<JpkiRootCertificate> roots, bool allowTestRoots = false)
    {
        ArgumentNullException.ThrowIfNull(roots);
        return Build(roots.Select(root => (root, $"Jpki:TrustAnchors:{root.Kind}")), allowTestRoots);
    }

    /// <summary>
    /// A separate anchor set read from certificate files (PEM or DER) named by the setting <paramref name="settingKey"/>,
    /// e.g. the corporate CAs of <c>Delegation:DelegatorTrustAnchors</c>. Its anchors are labelled
    /// <see cref="JpkiCertificateKind.Signing"/>: the set is never mixed with the JPKI roots.
    /// </summary>
    /// <exception cref="JpkiConfigurationException">A file is missing, unreadable or not a usable CA certificate.</exception>
    public static JpkiTrustAnchors LoadFiles(IReadOnlyList<string> paths, string settingKey)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Build(ReadFiles(paths, JpkiCertificateKind.Signing, settingKey), allowTestRoots: false);
    }

    public IReadOnlyList<JpkiTrustAnchor> ForKind(JpkiCertificateKind kind) =>
        kind == JpkiCertificateKind.Authentication ? _authentication : _signing;

    /// <summary>
    /// RFC 5280 §6.1.3(a)(1): the root of <paramref name="kind"/> whose key identifier is the certificate's
    /// authority key identifier and whose key verifies the certificate's signature; null when none does.
    /// </summary>
    internal JpkiTrustAnchor? FindIssuer(JpkiCertificate certificate, JpkiCertificateKind kind) =>
        FindSigner(ForKind(kind), certificate.AuthorityKeyIdentifier.Span, certificate.TbsCertificate.Span, certificate.Signature.Span, certificate.SignatureAlgorithm,
            certificate.SignatureAlgorithm == Oids.Sha256WithRsaEncryption ? certificate.TbsSha256 : default);

    /// <summary>The root, of either kind, that signed a CRL.</summary>
    internal JpkiTrustAnchor? FindCrlIssuer(ReadOnlySpan<byte> authorityKeyIdentifier, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature, string signatureAlgorithm) =>
        FindSigner(All, authorityKeyIdentifier, signed, signature, signatureAlgorithm);

    private static JpkiTrustAnchor? FindSigner(
        IReadOnlyList<JpkiTrustAnchor> candidates,
        ReadOnlySpan<byte> authorityKeyIdentifier,
        ReadOnlySpan<byte> signed,
        ReadOnlySpan<byte> signature,
        string signatureAlgorithm,
        ReadOnlySpan<byte> signedSha256 = default)
    {
        foreach (var anchor in candidates)
        {
            if (anchor.MayHaveIssued(authorityKeyIdentifier) && anchor.VerifySignature(signed, signature, signatureAlgorithm, signedSha256))
            {
                return anchor;
            }
        }

        return null;
    }

    private static IEnumerable<(JpkiRootCertificate Root, string Key)> ReadFiles(IReadOnlyList<string> paths, JpkiCertificateKind kind, string key)
    {
        foreach (var path in paths)
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new JpkiConfigurationException(key, $"cannot read the root certificate file '{path}'.", e);
            }

            IReadOnlyList<byte[]> certificates;
            try
            {
                certificates = CertificateFiles.Decode(content);
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                throw new JpkiConfigurationException(key, $"'{path}' is not a PEM or DER certificate.", e);
            }

            foreach (var der in certificates)
            {
                yield return (new JpkiRootCertificate(kind, der, path), key);
            }
        }
    }

    private static JpkiTrustAnchors Build(IEnumerable<(JpkiRootCertificate Root, string Key)> roots, bool allowTestRoots)
    {
        var anchors = new List<JpkiTrustAnchor>();
        foreach (var (root, key) in roots)
        {
            if (!JpkiCertificate.TryParse(root.Der.Span, out var certificate))
            {
                throw new JpkiConfigurationException(key, $"'{root.Source}' is not a DER-encoded X.509 certificate.");
            }

            if (!certificate.IsCertificateAuthority)
            {
                throw new JpkiConfigurationException(key, $"'{root.Source}' is not a CA certificate (basicConstraints cA is not set).");
            }

            if (certificate.PublicKeyAlgorithm != Oids.RsaEncryption || certificate.RsaKeySizeBits < 2048)
            {
                throw new JpkiConfigurationException(key, $"'{root.Source}' does not have an RSA key of at least 2048 bits.");
            }

            var isTestRoot = IsTestHierarchy(certificate);
            if (isTestRoot && !allowTestRoots)
            {
                throw new JpkiConfigurationException("Jpki:AllowTestRoots", $"'{root.Source}' is a JPKI test root (O={TestOrganization}); set Jpki:AllowTestRoots to trust it outside production.");
            }

            if (anchors.Any(a => a.Kind == root.Kind && a.Fingerprint == certificate.Fingerprint))
            {
                continue;
            }

            anchors.Add(new JpkiTrustAnchor(root.Kind, certificate, root.Source, isTestRoot));
        }

        return new JpkiTrustAnchors(anchors);
    }

    private static bool IsTestHierarchy(JpkiCertificate certificate)
    {
        var subject = new X500DistinguishedName(certificate.Subject.Span);
        foreach (var rdn in subject.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == Oids.Organization
                && string.Equals(rdn.GetSingleElementValue(), TestOrganization, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
