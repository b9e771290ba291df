using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ServerlessMyKey.LocalStorage;

/// <summary>
/// A running Azurite started from the repository's <c>node_modules</c> (after <c>npm ci</c> when it
/// is missing), bound to loopback, in its own session where the OS has setsid. Disposing stops it, and it
/// stops by itself when the process that started it ends without disposing it.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>
    /// Loaded by node before Azurite: node exits when its standard input ends. Only this process holds the
    /// pipe's other end, and the OS closes it however this process ends — a test runner that ends its test
    /// host, a DevHost killed with SIGKILL — so Azurite never outlives it (orphans kept their ports and memory,
    /// and one per test run piled up).
    /// </summary>
    private static readonly string ExitWhenStartedByGone = "data:text/javascript;base64," + Convert.ToBase64String(
        System.Text.Encoding.UTF8.GetBytes("process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();"));

    private readonly Process _process;

    private AzuriteProcess(Process process, AzuriteOptions options)
    {
        _process = process;
        Options = options;
    }

    public AzuriteOptions Options { get; }

    public string ConnectionString => Options.ConnectionString;

    /// <summary>The id of the node process that serves the three ports (for measuring its CPU time).</summary>
    public int ProcessId => _process.Id;

    /// <summary>True when something accepts TCP connections on all three ports on 127.0.0.1.</summary>
    public static async Task<bool> IsListeningAsync(int blobPort, int queuePort, int tablePort, CancellationToken cancellationToken = default)
    {
        foreach (var port in new[] { blobPort, queuePort, tablePort })
        {
            if (!await IsPortOpenAsync(port, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Three free loopback ports for a private Azurite (e.g. one per test run).</summary>
    public static (int Blob, int Queue, int Table) FindFreePorts()
    {
        var ports = LoopbackPorts.Free(3);
        return (ports[0], ports[1], ports[2]);
    }

    /// <summary>
    /// Starts a private Azurite on free loopback ports (<paramref name="options"/>' ports are replaced). A port is
    /// only known free when it is looked at: between <see cref="FindFreePorts"/> and Azurite's bind another
    /// process can take one (a client socket's ephemeral port, another test run's Azurite), so a start that
    /// fails because an address is in use is tried again on other ports, up to <paramref name="attempts"/> times.
    /// </summary>
    public static async Task<AzuriteProcess> StartOnFreePortsAsync(AzuriteOptions options, Action<string>? log = null, int attempts = 5, CancellationToken cancellationToken = default) =>
        await StartOnFreePortsAsync(options, FindFreePorts, log, attempts, cancellationToken);

    internal static async Task<AzuriteProcess> StartOnFreePortsAsync(AzuriteOptions options, Func<(int Blob, int Queue, int Table)> findPorts, Action<string>? log, int attempts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        for (var attempt = 1; ; attempt++)
        {
            var (blob, queue, table) = findPorts();
            try
            {
                return await StartAsync(options with { BlobPort = blob, QueuePort = queue, TablePort = table }, log, cancellationToken);
            }
            catch (AzuriteStartException e) when (e.AddressInUse && attempt < attempts)
            {
                log?.Invoke($"Azurite could not bind {blob}/{queue}/{table} (taken meanwhile); trying other ports");
            }
        }
    }

    public static async Task<AzuriteProcess> StartAsync(AzuriteOptions options, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entryPoint = await NodeModules.EnsureAzuriteAsync(options.RepositoryRoot, log, cancellationToken);

        var arguments = new List<string>
        {
            "--import", ExitWhenStartedByGone,
            entryPoint,
            "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--blobPort", options.BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", options.QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", options.TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (options.DataPath is null)
        {
            arguments.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(options.DataPath);
            arguments.AddRange(["--location", options.DataPath]);
        }

        // In a session (and process group) of its own where setsid exists (Linux): Ctrl+C in a terminal
        // signals the whole foreground group, and Azurite must outlive the host's workers, which stop first
        // and then stop it (DisposeAsync). setsid execs node in place (it forks only when the caller leads
        // a process group, and then --wait keeps it as node's parent, so killing the tree still works).
        var setsid = OperatingSystem.IsWindows() ? null : new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
        var startInfo = new ProcessStartInfo(setsid ?? "node")
        {
            WorkingDirectory = options.RepositoryRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (setsid is not null)
        {
            startInfo.ArgumentList.Add("--wait");
            startInfo.ArgumentList.Add("node");
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        var stderr = new System.Text.StringBuilder();
        // Ready when Azurite itself says its last service listens: a port that accepts connections may be
        // another process's (a port taken between FindFreePorts and the bind), while this Azurite exits.
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("Azurite Table service is successfully listening", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var azurite = new AzuriteProcess(process, options);
        var deadline = DateTime.UtcNow + options.StartTimeout;
        while (!listening.Task.IsCompleted || !await IsListeningAsync(options.BlobPort, options.QueuePort, options.TablePort, cancellationToken))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var exited = process.HasExited;
                if (exited)
                {
                    // Its last lines of stderr (EADDRINUSE) are read asynchronously: WaitForExitAsync returns once the
                    // redirected streams are drained, which a fixed delay before disposing did not ensure.
                    await process.WaitForExitAsync(CancellationToken.None);
                }

                await azurite.DisposeAsync();

                string error;
                lock (stderr)
                {
                    error = stderr.ToString();
                }

                throw new AzuriteStartException(
                    $"Azurite did not start on ports {options.BlobPort}/{options.QueuePort}/{options.TablePort}{(exited ? string.Empty : $" within {options.StartTimeout.TotalSeconds:0} s")}: {error}",
                    addressInUse: error.Contains("EADDRINUSE", StringComparison.Ordinal));
            }

            await Task.WhenAny(listening.Task, Task.Delay(100, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }

        log?.Invoke($"Azurite is listening on 127.0.0.1:{options.BlobPort}/{options.QueuePort}/{options.TablePort}" + (options.DataPath is null ? " (in memory)" : $" with data in {options.DataPath}"));
        return azurite;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // Azurite is one node process with no children, so SIGKILL it alone. Kill(entireProcessTree: true)
                // first SIGSTOPs the process, then scans /proc for children, then SIGKILLs: a test host that ends
                // between the two (disposal at process exit) leaves Azurite stopped for good, which is how orphaned
                // Azurites in state T holding ports and memory came about (21 of them, 3.9 GB, on 2026-11-30).
                _process.Kill();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            // Left to the OS; nothing more to do.
        }

        _process.Dispose();
    }

    private static async Task<bool> IsPortOpenAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A closed port is refused at once; the timeout only matters when the machine (or this process's
        // thread pool) is so busy that the completed connection is noticed late, so it is generous.
        cts.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
