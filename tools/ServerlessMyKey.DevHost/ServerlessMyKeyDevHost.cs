using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.DevHost.Invocation;
using ServerlessMyKey.DevHost.Web;
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
        DerivedDefaults = DevelopmentPkiSettings,
        ConfigureApp = (app, context) =>
        {
            VirtualCardEndpoints.Map(app, context);
            WebFrontEnd.Map(app, context);
        },
    };

    /// <summary>
    /// In Development, the development PKI under <c>DevHost:DataPath</c> (created on first start)
    /// is trusted next to the bundled J-LIS roots, with its CRLs as revocation data, so a newcomer
    /// can log in with a <c>mykey</c> virtual card right after the quick start. Never outside Development.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> DevelopmentPkiSettings(DevHostContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.IsDevelopment)
        {
            return new Dictionary<string, string?>();
        }

        var pki = DevelopmentPki.LoadOrCreate(Path.Combine(context.DataPath, "pki"));
        return new Dictionary<string, string?>
        {
            ["Jpki:TrustAnchors:Authentication:0"] = pki.AuthenticationRootPath,
            ["Jpki:TrustAnchors:Signing:0"] = pki.SigningRootPath,
            ["Jpki:Revocation:CrlFiles:0"] = pki.AuthenticationCrlPath,
            ["Jpki:Revocation:CrlFiles:1"] = pki.SigningCrlPath,

            // `mykey revoke` shows within seconds.
            ["Jpki:Revocation:RefreshSeconds"] = "5",
        };
    }

    /// <summary>
    /// Builds the front ends once when <c>web/dist</c> is missing, so that the quick start's first
    /// command shows the pages; a machine without npm still gets the API (and a page saying how to build).
    /// </summary>
    private static async Task EnsureWebBuildAsync()
    {
        if (ServerlessMyKey.LocalStorage.RepositoryRoot.TryFind() is not { } root || File.Exists(Path.Combine(root, "web", "dist", "index.html")))
        {
            return;
        }

        try
        {
            await ServerlessMyKey.LocalStorage.NodeModules.EnsureWebBuildAsync(root, Console.WriteLine);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine("DevHost: the web front ends could not be built (the API runs without them): " + ex.Message);
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        await EnsureWebBuildAsync();
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
            Console.WriteLine($"ServerlessMyKey DevHost is running at {host.BaseAddress} — the portal at {host.BaseAddress}portal, the console at {host.BaseAddress}console, the API at {host.BaseAddress}api/health. Press Ctrl+C to stop.");
            await host.WaitForShutdownAsync();
        }

        return 0;
    }
}
