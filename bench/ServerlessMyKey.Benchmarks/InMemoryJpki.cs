using ServerlessMyKey.Jpki.Revocation;

namespace ServerlessMyKey.Benchmarks;

/// <summary>A clock that stands still (the test PKI's "now"), so certificates and CRLs stay valid.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>A CRL held in memory, never changing: loading it measures no I/O.</summary>
internal sealed class MemoryCrlSource(byte[] crl) : ICrlSource
{
    public string Name => "memory";

    public Task<string?> GetVersionAsync(CancellationToken cancellationToken = default) => Task.FromResult<string?>("1");

    public Task<Stream> OpenReadAsync(CancellationToken cancellationToken = default) => Task.FromResult<Stream>(new MemoryStream(crl, writable: false));
}
