using ServerlessMyKey.Jpki.Asn1;

namespace ServerlessMyKey.Jpki.Certificates;

/// <summary>
/// Which certificate policy OIDs mean which kind (JPKI.md, "End-entity certificates"). Test-card
/// policies count only with <see cref="JpkiOptions.AllowTestRoots"/>.
/// </summary>
internal sealed class JpkiCertificatePolicies
{
    private readonly Dictionary<string, JpkiCertificateKind> _kinds = new(StringComparer.Ordinal)
    {
        [Oids.JpkiAuthenticationPolicy] = JpkiCertificateKind.Authentication,
        [Oids.JpkiSigningPolicy] = JpkiCertificateKind.Signing,
    };

    public JpkiCertificatePolicies(JpkiOptions options)
    {
        if (!options.AllowTestRoots)
        {
            return;
        }

        _kinds.TryAdd(Oids.JpkiTestSigningPolicy, JpkiCertificateKind.Signing);
        foreach (var oid in options.TestPolicies.Signing)
        {
            _kinds.TryAdd(oid, JpkiCertificateKind.Signing);
        }

        // The test authentication policy OID is UNCERTAIN (no primary source): configuration only.
        foreach (var oid in options.TestPolicies.Authentication)
        {
            _kinds.TryAdd(oid, JpkiCertificateKind.Authentication);
        }
    }

    /// <summary>The kinds the certificate's policies name: none, one, or (for a broken certificate) both.</summary>
    public IReadOnlySet<JpkiCertificateKind> Classify(JpkiCertificate certificate)
    {
        var kinds = new HashSet<JpkiCertificateKind>();
        foreach (var oid in certificate.PolicyOids)
        {
            if (_kinds.TryGetValue(oid, out var kind))
            {
                kinds.Add(kind);
            }
        }

        return kinds;
    }
}
