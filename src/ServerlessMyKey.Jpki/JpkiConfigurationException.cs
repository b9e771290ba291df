namespace ServerlessMyKey.Jpki;

/// <summary>
/// Invalid JPKI configuration, found at start-up. <see cref="Key"/> names the configuration key
/// (e.g. <c>Jpki:TrustAnchors:Authentication</c>) so the operator knows what to fix.
/// </summary>
public sealed class JpkiConfigurationException : Exception
{
    public JpkiConfigurationException(string key, string message, Exception? innerException = null)
        : base($"{key}: {message}", innerException)
    {
        Key = key;
    }

    public string Key { get; }
}
