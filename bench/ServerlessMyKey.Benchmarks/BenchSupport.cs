using ServerlessMyKey.Jpki.Revocation;

namespace ServerlessMyKey.Benchmarks;

/// <summary>A clock stopped at the development PKI's "now".</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>A CRL held in memory.</summary>
internal sealed class MemoryCrlSource(byte[] crl) : ICrlSource
{
    public string Name => "memory";

    public Task<string?> GetVersionAsync(CancellationToken cancellationToken = default) => Task.FromResult<string?>("1");

    public Task<Stream> OpenReadAsync(CancellationToken cancellationToken = default) => Task.FromResult<Stream>(new MemoryStream(crl, writable: false));
}
