namespace ServerlessMyKey.Jpki;

/// <summary>
/// JPKI verification settings, bound from the configuration section <c>Jpki</c>.
/// </summary>
/// <remarks>
/// Keys: <c>Jpki:TrustAnchors:Authentication</c> and <c>Jpki:TrustAnchors:Signing</c> (lists of root
/// certificate files, PEM or DER), <c>Jpki:BundledRoots</c> (default true), <c>Jpki:AllowTestRoots</c>
/// (default false), <c>Jpki:ClockSkewSeconds</c> (default 300), <c>Jpki:TestPolicies:Authentication</c> and
/// <c>Jpki:TestPolicies:Signing</c> (extra policy OIDs of J-LIS test cards), <c>Jpki:CertificateCacheSize</c>
/// (default 10,000), and <c>Jpki:Revocation:*</c>.
/// </remarks>
public sealed record JpkiOptions
{
    public const string SectionName = "Jpki";

    /// <summary>Root certificates trusted in addition to (or, without <see cref="BundledRoots"/>, instead of) the bundled ones.</summary>
    public JpkiTrustAnchorOptions TrustAnchors { get; init; } = new();

    /// <summary>Trust the production JPKI roots shipped in this library (generations 01 and 03).</summary>
    public bool BundledRoots { get; init; } = true;

    /// <summary>
    /// Accept roots of the J-LIS test hierarchy (<c>O=JPKI-TEST</c>) and the test-card certificate policies.
    /// Never enable in production.
    /// </summary>
    public bool AllowTestRoots { get; init; }

    /// <summary>How far the clocks of this service and the issuer may disagree, for validity periods and CRL freshness.</summary>
    public int ClockSkewSeconds { get; init; } = 300;

    /// <summary>Policy OIDs of J-LIS test cards, used only with <see cref="AllowTestRoots"/>.</summary>
    public JpkiTestPolicyOptions TestPolicies { get; init; } = new();

    public JpkiRevocationOptions Revocation { get; init; } = new();

    /// <summary>
    /// <c>Jpki:CertificateCacheSize</c>: how many certificates the verifier remembers (which root verified
    /// its signature, its imported public key) so that repeat logins skip both; 0 disables. Least recently
    /// used first out; a few hundred bytes managed plus the platform's key (about 1 KiB) each.
    /// </summary>
    public int CertificateCacheSize { get; init; } = 10_000;

    public TimeSpan ClockSkew => TimeSpan.FromSeconds(ClockSkewSeconds);

    /// <summary>Problems with these settings, each naming its key; empty when the settings are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ClockSkewSeconds is < 0 or > 3600)
        {
            problems.Add("Jpki:ClockSkewSeconds must be between 0 and 3600.");
        }

        if (CertificateCacheSize is < 0 or > 1_000_000)
        {
            problems.Add("Jpki:CertificateCacheSize must be between 0 and 1000000.");
        }

        if (!BundledRoots && TrustAnchors.Authentication.Count == 0 && TrustAnchors.Signing.Count == 0)
        {
            problems.Add("Jpki:BundledRoots is false and Jpki:TrustAnchors lists no root: nothing would be trusted.");
        }

        problems.AddRange(Revocation.Validate());
        return problems;
    }
}

/// <summary>Configured root certificates per purpose: file paths of PEM or DER certificates.</summary>
public sealed record JpkiTrustAnchorOptions
{
    /// <summary><c>Jpki:TrustAnchors:Authentication</c>: roots of authentication (利用者証明用) certificates.</summary>
    public IReadOnlyList<string> Authentication { get; init; } = [];

    /// <summary><c>Jpki:TrustAnchors:Signing</c>: roots of signing (署名用) certificates.</summary>
    public IReadOnlyList<string> Signing { get; init; } = [];
}

/// <summary>
/// Certificate policies of J-LIS test cards. The test signing policy 1.2.392.200149.8.5.1.0.20 is
/// always known; the test authentication policy is UNCERTAIN (no primary source), so it is
/// configuration only: <c>Jpki:TestPolicies:Authentication</c>.
/// </summary>
public sealed record JpkiTestPolicyOptions
{
    public IReadOnlyList<string> Authentication { get; init; } = [];

    public IReadOnlyList<string> Signing { get; init; } = [];
}

/// <summary>How revocation is checked.</summary>
public enum RevocationMode
{
    /// <summary>Certificate revocation lists from <see cref="JpkiRevocationOptions.CrlFiles"/>.</summary>
    Crl,

    /// <summary>No revocation check. Refused outside Development.</summary>
    None,

    /// <summary>OCSP (RFC 6960) to the responders in <see cref="JpkiRevocationOptions.OcspResponders"/>.</summary>
    Ocsp,
}

/// <summary><c>Jpki:Revocation:OcspResponders:*</c>: the OCSP responder of each certificate kind (absolute http/https URLs).</summary>
public sealed record JpkiOcspResponderOptions
{
    /// <summary><c>Jpki:Revocation:OcspResponders:Authentication</c>.</summary>
    public string? Authentication { get; init; }

    /// <summary><c>Jpki:Revocation:OcspResponders:Signing</c>.</summary>
    public string? Signing { get; init; }

    /// <summary>The responder for certificates of <paramref name="kind"/>, or null when none is configured.</summary>
    public Uri? For(JpkiCertificateKind kind) =>
        Uri.TryCreate(kind == JpkiCertificateKind.Authentication ? Authentication : Signing, UriKind.Absolute, out var uri) ? uri : null;
}

/// <summary><c>Jpki:Revocation:*</c>.</summary>
public sealed record JpkiRevocationOptions
{
    /// <summary><c>Jpki:Revocation:Mode</c>: <c>Crl</c> (default), <c>Ocsp</c> or <c>None</c> (Development only).</summary>
    public RevocationMode Mode { get; init; } = RevocationMode.Crl;

    /// <summary><c>Jpki:Revocation:CrlFiles</c>: where the CRLs are, one per issuing root (file paths; blob URIs through an injected source).</summary>
    public IReadOnlyList<string> CrlFiles { get; init; } = [];

    /// <summary><c>Jpki:Revocation:RefreshSeconds</c>: how often at most the sources are asked whether they changed.</summary>
    public int RefreshSeconds { get; init; } = 300;

    /// <summary><c>Jpki:Revocation:MaxCrlMegabytes</c>: larger CRLs are refused, to bound memory.</summary>
    public int MaxCrlMegabytes { get; init; } = 512;

    /// <summary><c>Jpki:Revocation:OcspResponders:*</c>: used with <see cref="RevocationMode.Ocsp"/>.</summary>
    public JpkiOcspResponderOptions OcspResponders { get; init; } = new();

    /// <summary><c>Jpki:Revocation:OcspTimeoutSeconds</c>: how long an OCSP request may take before the check is unavailable.</summary>
    public int OcspTimeoutSeconds { get; init; } = 5;

    /// <summary>
    /// <c>Jpki:Revocation:OcspMaxConcurrentRequests</c>: OCSP requests one process sends at a time, so that a
    /// bulk status job cannot flood the responder; further checks wait for a slot (the timeout starts with the request).
    /// </summary>
    public int OcspMaxConcurrentRequests { get; init; } = 16;

    /// <summary>
    /// <c>Jpki:Revocation:StaleWarningHours</c>: a CRL this close to its nextUpdate is reported
    /// <c>stale_soon</c> by the health endpoint and the operational-state timer (the alert's warning).
    /// </summary>
    public int StaleWarningHours { get; init; } = 12;

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Mode))
        {
            problems.Add("Jpki:Revocation:Mode must be Crl, Ocsp or None.");
        }

        foreach (var (key, value) in new[] { ("Authentication", OcspResponders.Authentication), ("Signing", OcspResponders.Signing) })
        {
            if (!string.IsNullOrEmpty(value)
                && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                problems.Add($"Jpki:Revocation:OcspResponders:{key} must be an absolute http or https URL.");
            }
        }

        if (Mode == RevocationMode.Ocsp && string.IsNullOrEmpty(OcspResponders.Authentication) && string.IsNullOrEmpty(OcspResponders.Signing))
        {
            problems.Add("Jpki:Revocation:Mode is Ocsp but Jpki:Revocation:OcspResponders names no responder.");
        }

        if (OcspTimeoutSeconds is < 1 or > 60)
        {
            problems.Add("Jpki:Revocation:OcspTimeoutSeconds must be between 1 and 60.");
        }

        if (OcspMaxConcurrentRequests is < 1 or > 256)
        {
            problems.Add("Jpki:Revocation:OcspMaxConcurrentRequests must be between 1 and 256.");
        }

        if (RefreshSeconds is < 1 or > 86_400)
        {
            problems.Add("Jpki:Revocation:RefreshSeconds must be between 1 and 86400.");
        }

        if (StaleWarningHours is < 1 or > 168)
        {
            problems.Add("Jpki:Revocation:StaleWarningHours must be between 1 and 168.");
        }

        if (MaxCrlMegabytes is < 1 or > 4096)
        {
            problems.Add("Jpki:Revocation:MaxCrlMegabytes must be between 1 and 4096.");
        }

        return problems;
    }
}
