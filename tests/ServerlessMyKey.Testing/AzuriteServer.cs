using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.Testing;

/// <summary>
/// The storage every integration test of this process talks to: the account in the
/// <c>SERVERLESSMYKEY_TEST_STORAGE</c> environment variable when set, otherwise a private
/// in-memory Azurite on free loopback ports, started once per test process and stopped at exit.
/// </summary>
public static class AzuriteServer
{
    public const string EnvironmentVariable = "SERVERLESSMYKEY_TEST_STORAGE";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _connectionString;
    private static AzuriteProcess? _process;

    public static async Task<string> GetConnectionStringAsync()
    {
        if (_connectionString is not null)
        {
            return _connectionString;
        }

        await Gate.WaitAsync();
        try
        {
            if (_connectionString is not null)
            {
                return _connectionString;
            }

            var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return _connectionString = configured;
            }

            _process = await AzuriteProcess.StartOnFreePortsAsync(new AzuriteOptions { RepositoryRoot = RepositoryRoot.Find() });
            AppDomain.CurrentDomain.ProcessExit += (_, _) => _process.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return _connectionString = _process.ConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A name unique to this test run, valid for tables, queues, containers and task hubs.</summary>
    public static string UniqueName(string prefix) =>
        (prefix + Guid.NewGuid().ToString("N")[..12]).ToLowerInvariant();
}
