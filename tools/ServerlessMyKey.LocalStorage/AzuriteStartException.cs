namespace ServerlessMyKey.LocalStorage;

/// <summary>Azurite exited or did not say it listens in time; <see cref="AddressInUse"/> when a port was taken.</summary>
public sealed class AzuriteStartException : InvalidOperationException
{
    public AzuriteStartException(string message, bool addressInUse)
        : base(message) => AddressInUse = addressInUse;

    public AzuriteStartException()
    {
    }

    public AzuriteStartException(string message)
        : base(message)
    {
    }

    public AzuriteStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Azurite could not bind a port because something else holds it (EADDRINUSE).</summary>
    public bool AddressInUse { get; }
}
