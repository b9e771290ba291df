using Xunit;

namespace ServerlessMyKey.Testing;

/// <summary>Class fixture giving a test class the shared Azurite connection string.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync() => ConnectionString = await AzuriteServer.GetConnectionStringAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
