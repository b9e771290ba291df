using System.Globalization;

namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>A CRL in a file; its version is the last-write time and length.</summary>
public sealed class FileCrlSource : ICrlSource
{
    private readonly string _path;

    public FileCrlSource(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = Path.GetFullPath(path);
    }

    public string Name => _path;

    public Task<string?> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(_path);
        return Task.FromResult(file.Exists
            ? string.Create(CultureInfo.InvariantCulture, $"{file.LastWriteTimeUtc.Ticks}:{file.Length}")
            : null);
    }

    public Task<Stream> OpenReadAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<Stream>(new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan));
}
