using Azure;
using Azure.Storage.Blobs;
using ServerlessMyKey.Azure.Storage;
using ServerlessMyKey.Core.Documents;

namespace ServerlessMyKey.Azure.Documents;

/// <summary>The blobs of one container (created on first use), for <see cref="EncryptedDocuments"/>.</summary>
public sealed class BlobDocuments(BlobServiceClient blobs, string containerName) : IDocumentBlobs
{
    private readonly CreatedOnFirstUse<BlobContainerClient> _container = StorageResources.Container(blobs, containerName);

    public async Task PutAsync(string name, byte[] content, CancellationToken cancellationToken = default)
    {
        var container = await _container.GetAsync(cancellationToken);
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
    }

    public async Task<byte[]?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var container = await _container.GetAsync(cancellationToken);
        try
        {
            return (await container.GetBlobClient(name).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var container = await _container.GetAsync(cancellationToken);
        await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }
}
