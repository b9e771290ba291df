namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>
/// Where one CRL (PEM or DER) is read from: a file here, a blob in the Azure adapter. Change detection
/// is cheap: <see cref="GetVersionAsync"/> is asked at most every <c>Jpki:Revocation:RefreshSeconds</c>,
/// and the CRL is read and parsed again only when the version differs.
/// </summary>
public interface ICrlSource
{
    /// <summary>Names the source in status and errors (a path or a URI without credentials).</summary>
    string Name { get; }

    /// <summary>A token that changes whenever the content changes (last-write time and length, an ETag); null when the CRL does not exist.</summary>
    Task<string?> GetVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>Opens the content for reading; the caller disposes the stream.</summary>
    Task<Stream> OpenReadAsync(CancellationToken cancellationToken = default);
}
