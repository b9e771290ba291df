using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Azure.Jpki;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Corporate;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Azure.Delegation;

internal static class CorporateDelegatorServiceCollectionExtensions
{
    public const string TrustAnchorsKey = "Delegation:DelegatorTrustAnchors";
    public const string CrlFilesKey = "Delegation:DelegatorCrlFiles";

    /// <summary>
    /// Corporate-CA delegators (商業登記電子証明書): the CA certificates of <c>Delegation:DelegatorTrustAnchors</c>
    /// (files, PEM or DER; read at start-up, so a bad file stops the app naming the key) and their CRLs
    /// from <c>Delegation:DelegatorCrlFiles</c> (files or blob URIs, as <c>Jpki:Revocation:CrlFiles</c>).
    /// No anchors: the corporate path is off. No CRL: every corporate certificate is <c>revocation_unavailable</c>.
    /// </summary>
    public static IServiceCollection AddCorporateDelegators(this IServiceCollection services, IConfiguration configuration)
    {
        var anchorFiles = Files(configuration, TrustAnchorsKey);
        var crlFiles = Files(configuration, CrlFilesKey);
        var anchors = JpkiTrustAnchors.LoadFiles(anchorFiles, TrustAnchorsKey);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<JpkiOptions>();
            var time = sp.GetRequiredService<TimeProvider>();
            if (anchors.All.Count > 0 && crlFiles.Count == 0)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Delegation").LogWarning(
                    "Corporate delegator CAs are configured without a CRL (Delegation:DelegatorCrlFiles): every corporate certificate answers revocation_unavailable.");
            }

            var blobs = crlFiles.Count > 0 ? sp.GetRequiredService<BlobServiceClient>() : null;
            var sources = crlFiles.Select(entry => (ICrlSource?)JpkiServiceCollectionExtensions.CreateSource(entry, blobs!, CrlFilesKey) ?? new FileCrlSource(entry));
            return new CorporateCertificateVerifier(anchors, new CrlRevocationChecker(sources, anchors, time, options), time, options.ClockSkew);
        });
        return services;
    }

    internal static List<string> Files(IConfiguration configuration, string key)
    {
        var entries = DelegationServiceCollectionExtensions.ReadList(configuration, key) ?? [];
        return entries.Any(string.IsNullOrWhiteSpace)
            ? throw new JpkiConfigurationException(key, "lists an empty entry.")
            : [.. entries.OfType<string>()];
    }
}
