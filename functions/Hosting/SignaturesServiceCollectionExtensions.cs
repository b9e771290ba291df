using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessMyKey.Azure.Signatures;
using ServerlessMyKey.Core.Certificates;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Signatures;
using ServerlessMyKey.Jpki.Signatures;

namespace ServerlessMyKey.Functions.Hosting;

public static class SignaturesServiceCollectionExtensions
{
    /// <summary>
    /// JPKI signature verification (raw and CMS) with sealed receipts in Blob Storage;
    /// <c>Signatures:StoreHolderData</c> (default false) puts the 基本4情報 into receipts, envelope-encrypted.
    /// </summary>
    public static IServiceCollection AddSignatures(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var raw = configuration["Signatures:StoreHolderData"];
        var storeHolderData = string.IsNullOrEmpty(raw)
            ? false
            : bool.TryParse(raw, out var parsed) ? parsed : throw new InvalidOperationException("Configuration key 'Signatures:StoreHolderData' must be true or false.");
        services.AddSingleton(new SignaturesOptions { StoreHolderData = storeHolderData });
        services.AddSingleton<JpkiCmsVerifier>();
        services.TryAddSingleton<EnvelopeEncryption>();
        services.AddSingleton<ISignatureReceiptStore, BlobSignatureReceiptStore>();
        services.AddSingleton<SignatureReceipts>();
        services.AddSingleton<SignatureVerifications>();
        return services;
    }

    /// <summary>Certificate status for insurers and other verifiers (role <c>certificates.status</c>), on the JPKI verifier.</summary>
    public static IServiceCollection AddCertificateStatus(this IServiceCollection services)
    {
        services.AddSingleton<CertificateStatusService>();
        return services;
    }
}
