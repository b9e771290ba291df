using System.Diagnostics;

namespace ServerlessMyKey.LocalStorage;

/// <summary>Makes sure the npm packages pinned in package-lock.json are installed.</summary>
public static class NodeModules
{
    /// <summary>
    /// The path of Azurite's entry script, running <c>npm ci</c> first when it is missing. A lock
    /// file serializes concurrent callers (test projects run in parallel).
    /// </summary>
    public static async Task<string> EnsureAzuriteAsync(string repositoryRoot, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var entryPoint = Path.Combine(repositoryRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (File.Exists(entryPoint))
        {
            return entryPoint;
        }

        Directory.CreateDirectory(Path.Combine(repositoryRoot, ".devhost"));
        var lockPath = Path.Combine(repositoryRoot, ".devhost", "npm-ci.lock");
        await using var gate = await AcquireLockAsync(lockPath, cancellationToken);
        if (File.Exists(entryPoint))
        {
            return entryPoint;
        }

        log?.Invoke("Azurite is not installed; running 'npm ci' (once)...");
        await RunNpmAsync(repositoryRoot, ["ci", "--no-audit", "--no-fund"], cancellationToken);
        if (!File.Exists(entryPoint))
        {
            throw new InvalidOperationException($"'npm ci' did not install Azurite at {entryPoint}.");
        }

        return entryPoint;
    }

    /// <summary>
    /// The built front ends (<c>web/dist</c>), running <c>npm ci</c> (when the workspace's tools are
    /// missing) and <c>npm run build</c> first when <c>web/dist/index.html</c> is missing, so that a
    /// plain <c>dotnet test</c> can open the pages. Serialized with the same lock as <c>npm ci</c>.
    /// </summary>
    public static async Task<string> EnsureWebBuildAsync(string repositoryRoot, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var dist = Path.Combine(repositoryRoot, "web", "dist");
        if (File.Exists(Path.Combine(dist, "index.html")))
        {
            return dist;
        }

        Directory.CreateDirectory(Path.Combine(repositoryRoot, ".devhost"));
        await using var gate = await AcquireLockAsync(Path.Combine(repositoryRoot, ".devhost", "npm-ci.lock"), cancellationToken);
        if (File.Exists(Path.Combine(dist, "index.html")))
        {
            return dist;
        }

        if (!File.Exists(Path.Combine(repositoryRoot, "node_modules", "vite", "package.json")))
        {
            log?.Invoke("The web workspace's tools are not installed; running 'npm ci'...");
            await RunNpmAsync(repositoryRoot, ["ci", "--no-audit", "--no-fund"], cancellationToken);
        }

        log?.Invoke("web/dist is missing; running 'npm run build'...");
        await RunNpmAsync(repositoryRoot, ["run", "build"], cancellationToken);
        return File.Exists(Path.Combine(dist, "index.html")) ? dist : throw new InvalidOperationException($"'npm run build' wrote no {dist}/index.html.");
    }

    private static async Task RunNpmAsync(string repositoryRoot, string[] arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("npm")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var npm = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start npm; install Node.js 20+.");
        var output = npm.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = npm.StandardError.ReadToEndAsync(cancellationToken);
        await npm.WaitForExitAsync(cancellationToken);
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"'npm {string.Join(' ', arguments)}' failed with exit code {npm.ExitCode}: {await error}{await output}");
        }
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }
}
