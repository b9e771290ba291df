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
        var startInfo = new ProcessStartInfo("npm")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund" })
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var npm = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start npm; install Node.js 20+.");
        var output = npm.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = npm.StandardError.ReadToEndAsync(cancellationToken);
        await npm.WaitForExitAsync(cancellationToken);
        if (npm.ExitCode != 0 || !File.Exists(entryPoint))
        {
            throw new InvalidOperationException($"'npm ci' failed with exit code {npm.ExitCode}: {await error}{await output}");
        }

        return entryPoint;
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
