using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Azure.Delegation;
using ServerlessMyKey.Azure.Jpki;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Medical;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Hpki;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Azure.Medical;

public static partial class MedicalServiceCollectionExtensions
{
    public const string HpkiTrustAnchorsKey = "Medical:Hpki:TrustAnchors";
    public const string HpkiCrlFilesKey = "Medical:Hpki:CrlFiles";

    /// <summary>
    /// The medical uses (docs/medical.md): registered facilities (<c>Medical:Facilities:*</c>), the HPKI verifier
    /// (<c>Medical:Hpki:*</c>), the insurance, clinic, consent and access-log services on Table Storage, and their
    /// retention (<c>Medical:Retention:*</c>; the batch size is the clean-up's <c>Cleanup:BatchSize</c>, from <c>AddOperations</c>).
    /// Settings are validated here, so a bad one stops the app naming its key. Needs the JPKI verifier and login
    /// (<c>AddJpki</c>, <c>AddLogin</c>), the person-signature check of <c>AddDelegation</c>, the service keys,
    /// a <see cref="TableServiceClient"/> and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddMedical(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(ReadFacilities(configuration));
        services.AddSingleton(ReadInsurers(configuration));
        services.AddHpki(configuration);
        services.TryAddSingleton<EnvelopeEncryption>();
        services.AddSingleton<IInsuranceStore>(sp => new TableInsuranceStore(Table(sp, tablePrefix, "MedicalInsurance"), Table(sp, tablePrefix, "MedicalInsuranceLinks")));
        services.AddSingleton<IClinicStore>(sp => new TableClinicStore(Table(sp, tablePrefix, "MedicalClinics")));
        services.AddSingleton<IConsentStore>(sp => new TableConsentStore(Table(sp, tablePrefix, "MedicalConsents")));
        services.AddSingleton<IMedicalAccessLogStore>(sp => new TableMedicalAccessLog(Table(sp, tablePrefix, "MedicalAccessLog")));
        services.AddSingleton<IMedicalRetentionStore>(sp => new TableMedicalRetention(Table(sp, tablePrefix, "MedicalAccessLog"), Table(sp, tablePrefix, "MedicalClinics")));
        services.AddSingleton(ReadRetention(configuration));
        services.AddSingleton<MedicalRetention>();
        services.AddSingleton<MedicalKeyedHashes>();
        services.AddSingleton<InsuranceNumbers>();
        services.AddSingleton<InsuranceRegistry>();
        services.AddSingleton<InsuranceLinks>();
        services.AddSingleton<MedicalAccessLog>();
        services.AddSingleton<EligibilityChecks>();
        services.AddSingleton<ClinicCheckins>();
        services.AddSingleton<ConsentLedger>();
        services.AddSingleton<HpkiVerifications>();
        return services;
    }

    /// <summary>
    /// <c>Medical:Facilities:&lt;facilityCode&gt;:Clients</c> (client ids acting for the facility, a list or comma-separated)
    /// and <c>:Networks</c> (regional medical networks it takes part in).
    /// </summary>
    public static MedicalFacilities ReadFacilities(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var facilities = new List<MedicalFacility>();
        foreach (var facility in configuration.GetSection("Medical:Facilities").GetChildren())
        {
            var key = $"Medical:Facilities:{facility.Key}";
            if (!MedicalFields.IsFacilityCode(facility.Key))
            {
                throw new InvalidOperationException($"Configuration key '{key}': '{facility.Key}' is not a 10-digit medical facility code (医療機関コード).");
            }

            var clients = Ids(configuration, key + ":Clients");
            if (clients.Count == 0)
            {
                throw new InvalidOperationException($"Configuration key '{key}:Clients' must name at least one service client.");
            }

            facilities.Add(new MedicalFacility(facility.Key, clients, Ids(configuration, key + ":Networks")));
        }

        return new MedicalFacilities(facilities);
    }

    /// <summary><c>Medical:Insurers:&lt;insurerNumber&gt;:Clients</c>: the service clients loading each insurer's members.</summary>
    public static MedicalInsurers ReadInsurers(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var insurers = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var insurer in configuration.GetSection("Medical:Insurers").GetChildren())
        {
            var key = $"Medical:Insurers:{insurer.Key}";
            try
            {
                MedicalFields.RequireInsurerNumber(insurer.Key);
            }
            catch (Core.Errors.ServiceException)
            {
                throw new InvalidOperationException($"Configuration key '{key}': '{insurer.Key}' is not an 8-digit insurer number (保険者番号).");
            }

            var clients = Ids(configuration, key + ":Clients");
            insurers[insurer.Key] = clients.Count > 0 ? clients : throw new InvalidOperationException($"Configuration key '{key}:Clients' must name at least one service client.");
        }

        return new MedicalInsurers(insurers);
    }

    /// <summary>
    /// The HPKI verifier: CA certificates of <c>Medical:Hpki:TrustAnchors</c> (files, PEM or DER, read at start-up),
    /// their CRLs from <c>Medical:Hpki:CrlFiles</c> (files or blob URIs), the certificate profile from
    /// <c>Medical:Hpki:*Oid</c>, <c>:Roles</c> and <c>:Policies</c>. No anchors: every HPKI certificate is untrusted;
    /// no CRL: every one is <c>revocation_unavailable</c>.
    /// </summary>
    public static IServiceCollection AddHpki(this IServiceCollection services, IConfiguration configuration)
    {
        var anchors = JpkiTrustAnchors.LoadFiles(CorporateDelegatorServiceCollectionExtensions.Files(configuration, HpkiTrustAnchorsKey), HpkiTrustAnchorsKey);
        var crlFiles = CorporateDelegatorServiceCollectionExtensions.Files(configuration, HpkiCrlFilesKey);
        var profile = ReadHpkiProfile(configuration);
        services.AddSingleton(profile);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<JpkiOptions>();
            var time = sp.GetRequiredService<TimeProvider>();
            if (anchors.All.Count > 0 && crlFiles.Count == 0)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Medical").LogWarning(
                    "HPKI CAs are configured without a CRL (Medical:Hpki:CrlFiles): every HPKI certificate answers revocation_unavailable.");
            }

            var blobs = crlFiles.Count > 0 ? sp.GetRequiredService<BlobServiceClient>() : null;
            var sources = crlFiles.Select(entry => (ICrlSource?)JpkiServiceCollectionExtensions.CreateSource(entry, blobs!, HpkiCrlFilesKey) ?? new FileCrlSource(entry));
            return new HpkiCertificateVerifier(anchors, new CrlRevocationChecker(sources, anchors, time, options), time, options.ClockSkew, profile);
        });
        return services;
    }

    /// <summary>Reads the HPKI certificate profile; every value has a documented default (docs/medical.md "HPKI").</summary>
    public static HpkiProfileOptions ReadHpkiProfile(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = new HpkiProfileOptions();
        var roles = DelegationServiceCollectionExtensions.ReadList(configuration, "Medical:Hpki:Roles");
        if (roles is not null && (roles.Count == 0 || roles.Any(r => string.IsNullOrWhiteSpace(r) || r.Length > 128)))
        {
            throw new InvalidOperationException("Configuration key 'Medical:Hpki:Roles' must list hcRole values of 1–128 characters.");
        }

        return new HpkiProfileOptions
        {
            HcRoleAttributeOid = Oid(configuration, "Medical:Hpki:HcRoleAttributeOid", defaults.HcRoleAttributeOid),
            RoleCodingSchemeOid = Oid(configuration, "Medical:Hpki:RoleCodingSchemeOid", defaults.RoleCodingSchemeOid),
            NameAttributeOid = Oid(configuration, "Medical:Hpki:NameAttributeOid", defaults.NameAttributeOid),
            DateOfBirthAttributeOid = Oid(configuration, "Medical:Hpki:DateOfBirthAttributeOid", defaults.DateOfBirthAttributeOid),
            Roles = roles is null ? defaults.Roles : [.. roles.OfType<string>().Select(r => r.Trim())],
            Policies = [.. (DelegationServiceCollectionExtensions.ReadList(configuration, "Medical:Hpki:Policies") ?? [])
                .Select(p => p is not null && OidPattern().IsMatch(p) ? p : throw new InvalidOperationException("Configuration key 'Medical:Hpki:Policies' must list object identifiers (1.2.392…)."))],
        };
    }

    private static string Oid(IConfiguration configuration, string key, string fallback)
    {
        var value = configuration[key];
        return string.IsNullOrEmpty(value) ? fallback
            : OidPattern().IsMatch(value) ? value
            : throw new InvalidOperationException($"Configuration key '{key}' must be an object identifier (digits and dots).");
    }

    private static HashSet<string> Ids(IConfiguration configuration, string key)
    {
        var entries = DelegationServiceCollectionExtensions.ReadList(configuration, key) ?? [];
        return entries.All(Core.Validation.RequestFields.IsId)
            ? new HashSet<string>(entries.OfType<string>(), StringComparer.Ordinal)
            : throw new InvalidOperationException($"Configuration key '{key}' must list ids of 1–64 letters, digits, '.', '_' or '-'.");
    }

    /// <summary><c>Medical:Retention:*</c> (docs/medical.md), validated: a bad value stops the app naming its key.</summary>
    public static MedicalRetentionOptions ReadRetention(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(MedicalRetentionOptions.SectionName).Get<MedicalRetentionOptions>() ?? new MedicalRetentionOptions();
        var problems = options.Validate();
        return problems.Count == 0 ? options : throw new InvalidOperationException("Invalid configuration: " + string.Join(" ", problems));
    }

    private static LazyTable Table(IServiceProvider services, string prefix, string name) =>
        new(services.GetRequiredService<TableServiceClient>(), prefix + name);

    [GeneratedRegex(@"^[0-2](\.(0|[1-9][0-9]{0,9})){1,30}\z")]
    private static partial Regex OidPattern();
}
