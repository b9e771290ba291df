using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Storage;
using ServerlessMyKey.Core.Certificates.StatusJobs;

namespace ServerlessMyKey.Azure.Certificates;

public static class CertificateStatusJobsServiceCollectionExtensions
{
    /// <summary>
    /// Certificate status jobs: parts and results in Blob Storage, chunks on a Storage queue. Needs the
    /// certificate status service, <c>Certificates:StatusJobQueue</c>, idempotency claims, blob and queue clients and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddCertificateStatusJobs(this IServiceCollection services, IConfiguration configuration, string tablePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var queueName = QueueNameSetting.Read(configuration, StorageQueueStatusJobQueue.QueueSetting, StorageQueueStatusJobQueue.DefaultQueueName);
        services.AddIdempotencyClaims(tablePrefix);
        services.AddSingleton<IStatusJobStore>(sp => new BlobStatusJobStore(sp.GetRequiredService<BlobServiceClient>()));
        services.AddSingleton<IStatusJobQueue>(sp => new StorageQueueStatusJobQueue(sp.GetRequiredService<QueueServiceClient>(), queueName));
        services.AddSingleton<StatusJobService>();
        return services;
    }
}
