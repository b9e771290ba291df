namespace ServerlessMyKey.DevHost.Invocation;

/// <summary>A function uses a binding the DevHost cannot supply; the DevHost refuses to start.</summary>
public sealed class UnsupportedBindingException(string message) : Exception(message);
