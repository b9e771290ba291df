using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Azure.Hosting;
using ServerlessMyKey.Core.Health;
using ServerlessMyKey.Jpki;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;

namespace ServerlessMyKey.Azure.Jpki;

public static class JpkiServiceCollectionExtensions
{
    /// <summary>
    /// The JPKI verifier: trust anchors (bundled J-LIS roots plus <c>Jpki:TrustAnchors:*</c>),
    /// revocation (<c>Jpki:Revocation:*</c>: CRL files or blob URIs; <c>None</c> only in Development),
    /// validated at start-up so that bad settings stop the app with a message naming the key.
    /// </summary>
    public static IServiceCollection AddJpki(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(JpkiOptions.SectionName).Get<JpkiOptions>() ?? new JpkiOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new JpkiConfigurationException(JpkiOptions.SectionName, string.Join(" ", problems));
        }

        var anchors = JpkiTrustAnchors.Load(options);
        var development = DeploymentEnvironment.IsDevelopment(configuration);
        services.AddSingleton(options);
        services.AddSingleton(anchors);
        services.AddSingleton(sp =>
        {
            var blobs = sp.GetRequiredService<BlobServiceClient>();
            var checker = RevocationCheckerFactory.Create(options, anchors, sp.GetRequiredService<TimeProvider>(), development, entry => CreateSource(entry, blobs));
            if (options.Revocation.Mode == RevocationMode.Crl && options.Revocation.CrlFiles.Count == 0)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Jpki").LogWarning(
                    "No CRL is configured (Jpki:Revocation:CrlFiles): every certificate check answers revocation_unavailable.");
            }

            return checker;
        });
        services.AddSingleton(sp => new JpkiCertificateVerifier(anchors, sp.GetRequiredService<IRevocationChecker>(), sp.GetRequiredService<TimeProvider>(), options));
        services.AddSingleton(sp => new RevocationFreshness(sp.GetRequiredService<IRevocationChecker>(), options, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Blob URIs on the app's storage account (or any https blob endpoint the identity may read); null for a file path.</summary>
    internal static BlobCrlSource? CreateSource(string entry, BlobServiceClient blobs, string settingKey = "Jpki:Revocation:CrlFiles")
    {
        if (!Uri.TryCreate(entry, UriKind.Absolute, out var uri) || uri.IsFile || uri.Scheme is not ("https" or "http"))
        {
            return null; // a file path
        }

        if (!string.IsNullOrEmpty(uri.Query))
        {
            throw new JpkiConfigurationException(settingKey, "blob URIs must not carry a SAS token; the app reads them with its identity.");
        }

        var path = new BlobUriBuilder(uri);
        return new BlobCrlSource(blobs.GetBlobContainerClient(path.BlobContainerName).GetBlobClient(path.BlobName));
    }
}
