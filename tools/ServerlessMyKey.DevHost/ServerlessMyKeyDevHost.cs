using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.DevHost.Invocation;
using ServerlessMyKey.Functions.Hosting;

namespace ServerlessMyKey.DevHost;

/// <summary>The DevHost for ServerlessMyKey's own Functions app (tests start it in-process too).</summary>
public static class ServerlessMyKeyDevHost
{
    public static DevHostOptions Options(IReadOnlyDictionary<string, string?>? settings = null) => new()
    {
        FunctionsAssembly = typeof(ServerlessMyKeyServiceCollectionExtensions).Assembly,
        ConfigureServices = (services, configuration) => services.AddServerlessMyKey(configuration),
        Settings = settings ?? new Dictionary<string, string?>(),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        DevHostApp host;
        try
        {
            host = await DevHostApp.StartAsync(Options(), args);
        }
        catch (Exception ex) when (ex is UnsupportedBindingException or InvalidOperationException or FileNotFoundException or FormatException)
        {
            Console.Error.WriteLine("DevHost could not start: " + ex.Message);
            return 1;
        }

        await using (host)
        {
            Console.WriteLine($"ServerlessMyKey DevHost is running at {host.BaseAddress} — try {host.BaseAddress}api/health. Press Ctrl+C to stop.");
            await host.WaitForShutdownAsync();
        }

        return 0;
    }
}
