using Xunit;
using System.Diagnostics;
using System.Text;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>
/// Ctrl+C as a new user presses it: the DevHost started as the README says (it starts its own Azurite),
/// then SIGINT to the whole process group, as a terminal sends it. Azurite runs in a session of its own,
/// so it outlives the host's workers: the host stops without a storage error and then stops Azurite.
/// </summary>
public sealed class CtrlCTests
{
    private static readonly TimeSpan Watchdog = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Sigint_to_the_process_group_stops_the_devhost_cleanly_and_then_its_azurite()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid"))
        {
            return; // Ctrl+C reaches a process group only on Unix terminals; CI and the build machines are Linux.
        }

        Assert.False(TerminalDefaults.IgnoresSigint && !File.Exists(TerminalDefaults.Perl), "This test process ignores SIGINT (started with `&` by a shell without job control) and there is no perl to set it back, so its DevHost cannot get a Ctrl+C.");

        var (blob, queue, table) = AzuriteProcess.FindFreePorts();
        var dataPath = Directory.CreateTempSubdirectory("ctrl-c-").FullName;
        var signalled = false;
        var afterSignal = new StringBuilder();
        var (process, output, running) = StartDevHost(blob, queue, table, dataPath, line =>
        {
            lock (afterSignal)
            {
                if (signalled)
                {
                    afterSignal.AppendLine(line);
                }
            }
        });
        using var _ = process;
        try
        {
            await Task.WhenAny(running, process.WaitForExitAsync()).WaitAsync(Watchdog);
            Assert.True(running.IsCompleted, "The DevHost did not start:\n" + output());
            Assert.True(await AzuriteProcess.IsListeningAsync(blob, queue, table), "The DevHost did not start its Azurite.");

            // What a terminal's Ctrl+C reaches is the foreground process group: Azurite must not be in it.
            var azurite = Children(process.Id).Single(child => Stat(child).Command == "node");
            Assert.NotEqual(Stat(process.Id).ProcessGroup, Stat(azurite).ProcessGroup);
            Assert.NotEqual(Stat(process.Id).Session, Stat(azurite).Session);

            lock (afterSignal)
            {
                signalled = true;
            }

            using (var kill = Process.Start("kill", ["-INT", "--", "-" + process.Id]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(Watchdog);

            Assert.Equal(0, process.ExitCode);
            Assert.False(await AzuriteProcess.IsListeningAsync(blob, queue, table), "Azurite still runs after the DevHost stopped.");
            string stopping;
            lock (afterSignal)
            {
                stopping = afterSignal.ToString();
            }

            // The console logger marks errors "fail:" and "crit:"; a host whose storage died first logs them.
            Assert.DoesNotContain("fail:", stopping, StringComparison.Ordinal);
            Assert.DoesNotContain("crit:", stopping, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(dataPath, recursive: true);
        }
    }

    /// <summary>
    /// The DevHost killed outright (SIGKILL: no handler runs, so it cannot stop its Azurite): Azurite stops by
    /// itself, since its standard input — a pipe only the DevHost held — ends with the DevHost.
    /// </summary>
    [Fact]
    public async Task Sigkill_of_the_devhost_still_stops_its_azurite()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid"))
        {
            return; // as above
        }

        var (blob, queue, table) = AzuriteProcess.FindFreePorts();
        var dataPath = Directory.CreateTempSubdirectory("sigkill-").FullName;
        var (process, output, running) = StartDevHost(blob, queue, table, dataPath);
        using var _ = process;
        try
        {
            await Task.WhenAny(running, process.WaitForExitAsync()).WaitAsync(Watchdog);
            Assert.True(running.IsCompleted, "The DevHost did not start:\n" + output());
            Assert.True(await AzuriteProcess.IsListeningAsync(blob, queue, table), "The DevHost did not start its Azurite.");

            using (var kill = Process.Start("kill", ["-KILL", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(Watchdog);
            var deadline = DateTime.UtcNow + Watchdog;
            while (await AzuriteProcess.IsListeningAsync(blob, queue, table))
            {
                Assert.True(DateTime.UtcNow < deadline, "Azurite still listens after the DevHost was killed.");
                await Task.Delay(100);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(dataPath, recursive: true);
        }
    }

    /// <summary>
    /// The DevHost as a new user starts it (it starts its own Azurite), leading a process group of its own: the
    /// process, what it printed so far, and a task that completes when it says it is running.
    /// </summary>
    private static (Process Process, Func<string> Output, Task Running) StartDevHost(int blob, int queue, int table, string dataPath, Action<string>? line = null)
    {
        var devHost = Path.Combine(AppContext.BaseDirectory, "ServerlessMyKey.DevHost.dll");
        var startInfo = new ProcessStartInfo(TerminalDefaults.Launcher)
        {
            // The DevHost leads a new process group, as a shell's foreground job does; the test runner is outside it.
            ArgumentList = { "/usr/bin/setsid", "dotnet", devHost, "--urls", "http://127.0.0.1:0" },
            WorkingDirectory = RepositoryRoot.Find(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["AzureWebJobsStorage"] = AzuriteOptions.BuildConnectionString(blob, queue, table),
                ["DevHost__DataPath"] = dataPath,
            },
        };
        foreach (var argument in TerminalDefaults.LauncherArguments.Reverse())
        {
            startInfo.ArgumentList.Insert(0, argument);
        }

        var output = new StringBuilder();
        var running = new TaskCompletionSource();
        void Collect(string? text)
        {
            if (text is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(text);
            }

            line?.Invoke(text);
            if (text.Contains("DevHost is running at", StringComparison.Ordinal))
            {
                running.TrySetResult();
            }
        }

        var process = Process.Start(startInfo)!;
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, () => { lock (output) { return output.ToString(); } }, running.Task);
    }

    private static IEnumerable<int> Children(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && TryStat(pid) is { } stat && stat.Parent == parent);

    private static (string Command, int Parent, int ProcessGroup, int Session) Stat(int pid) =>
        TryStat(pid) ?? throw new InvalidOperationException($"Process {pid} is gone.");

    // proc(5): "pid (comm) state ppid pgrp session …"; comm may hold spaces and parentheses.
    private static (string Command, int Parent, int ProcessGroup, int Session)? TryStat(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        return (stat[(open + 1)..close], int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture));
    }
}
