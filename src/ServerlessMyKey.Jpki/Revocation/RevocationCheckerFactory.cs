using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>Builds the revocation checker that <c>Jpki:Revocation:Mode</c> asks for, refusing unsafe settings at start-up.</summary>
public static class RevocationCheckerFactory
{
    /// <param name="allowDevelopmentOnlyModes">True only in Development: permits <see cref="RevocationMode.None"/>.</param>
    /// <param name="createSource">Maps a <c>Jpki:Revocation:CrlFiles</c> entry to a source, or returns null for the default (a file path). The Azure adapter maps blob URIs here.</param>
    /// <param name="httpClient">Sends OCSP requests (<see cref="RevocationMode.Ocsp"/>); by default a client of its own, living as long as the checker.</param>
    /// <exception cref="JpkiConfigurationException">The settings are invalid or not allowed here.</exception>
    public static IRevocationChecker Create(
        JpkiOptions options,
        JpkiTrustAnchors anchors,
        TimeProvider timeProvider,
        bool allowDevelopmentOnlyModes,
        Func<string, ICrlSource?>? createSource = null,
        HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var problems = options.Revocation.Validate();
        if (problems.Count > 0)
        {
            throw new JpkiConfigurationException("Jpki:Revocation", string.Join(" ", problems));
        }

        if (options.Revocation.Mode == RevocationMode.None)
        {
            return allowDevelopmentOnlyModes
                ? new NoRevocationChecker(timeProvider)
                : throw new JpkiConfigurationException("Jpki:Revocation:Mode", "None (no revocation check) is allowed only in Development.");
        }

        if (options.Revocation.Mode == RevocationMode.Ocsp)
        {
            return new OcspRevocationChecker(httpClient ?? CreateHttpClient(), timeProvider, options);
        }

        var sources = options.Revocation.CrlFiles.Select(entry => createSource?.Invoke(entry) ?? CreateFileSource(entry));
        return new CrlRevocationChecker(sources, anchors, timeProvider, options);
    }

    // The checker enforces Jpki:Revocation:OcspTimeoutSeconds itself; connections are recycled so that
    // a responder's DNS change is picked up.
    private static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    private static FileCrlSource CreateFileSource(string entry)
    {
        if (Uri.TryCreate(entry, UriKind.Absolute, out var uri) && !uri.IsFile)
        {
            throw new JpkiConfigurationException("Jpki:Revocation:CrlFiles", $"no CRL source is registered for {uri.Scheme} URIs.");
        }

        return new FileCrlSource(entry);
    }
}
