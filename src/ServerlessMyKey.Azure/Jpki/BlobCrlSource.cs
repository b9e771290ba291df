using Azure;
using Azure.Storage.Blobs;
using ServerlessMyKey.Jpki.Revocation;

namespace ServerlessMyKey.Azure.Jpki;

/// <summary>
/// A CRL kept in Blob Storage (e.g. uploaded daily from J-LIS or a platform operator). The blob's
/// ETag is the version, so the CRL is downloaded and parsed again only when it changed. Read with
/// the app's identity (the storage clients of <c>AzureWebJobsStorage</c>), never a SAS in config.
/// </summary>
public sealed class BlobCrlSource(BlobClient blob) : ICrlSource
{
    /// <summary>The blob URI without query (no credentials in logs or status).</summary>
    public string Name { get; } = blob.Uri.GetLeftPart(UriPartial.Path);

    public async Task<string?> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.ETag.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<Stream> OpenReadAsync(CancellationToken cancellationToken = default) =>
        (await blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).Value.Content;
}
