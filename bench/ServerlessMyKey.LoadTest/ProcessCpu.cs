using System.Diagnostics;

namespace ServerlessMyKey.LoadTest;

/// <summary>CPU time (user + system) used so far by this process (DevHost + load generator) and by Azurite's node process.</summary>
internal sealed class ProcessCpu(int azuriteProcessId)
{
    public CpuTimes Snapshot()
    {
        using var self = Process.GetCurrentProcess();
        return new CpuTimes(self.TotalProcessorTime, Azurite());
    }

    private TimeSpan Azurite()
    {
        try
        {
            using var node = Process.GetProcessById(azuriteProcessId);
            return node.TotalProcessorTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return TimeSpan.Zero;
        }
    }
}

/// <summary>CPU time of the DevHost's process (which also runs the load generator) and of Azurite.</summary>
internal readonly record struct CpuTimes(TimeSpan Host, TimeSpan Azurite)
{
    public static CpuTimes operator -(CpuTimes after, CpuTimes before) => new(after.Host - before.Host, after.Azurite - before.Azurite);
}
