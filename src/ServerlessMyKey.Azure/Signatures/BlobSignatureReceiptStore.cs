using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ServerlessMyKey.Core.Signatures;

using ServerlessMyKey.Azure.Storage;

namespace ServerlessMyKey.Azure.Signatures;

/// <summary>
/// Sealed receipts as blobs <c>signature-receipts/&lt;id&gt;.jws</c>, written once: the upload carries
/// <c>If-None-Match: *</c>, so an existing receipt is never replaced.
/// </summary>
public sealed class BlobSignatureReceiptStore(BlobServiceClient blobs) : ISignatureReceiptStore
{
    public const string ContainerName = "signature-receipts";

    private readonly CreatedOnFirstUse<BlobContainerClient> _container = StorageResources.Container(blobs, ContainerName);

    public async Task CreateAsync(string receiptId, string jws, CancellationToken cancellationToken = default)
    {
        var blob = (await _container.GetAsync(cancellationToken)).GetBlobClient(BlobName(receiptId));
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/jose" },
        };
        await blob.UploadAsync(BinaryData.FromString(jws), options, cancellationToken);
    }

    public async Task<string?> GetAsync(string receiptId, CancellationToken cancellationToken = default)
    {
        var blob = (await _container.GetAsync(cancellationToken)).GetBlobClient(BlobName(receiptId));
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private static string BlobName(string receiptId) => receiptId + ".jws";
}
