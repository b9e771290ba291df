namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>
/// Starts a process with SIGINT as a terminal's foreground job has it: handled by default. A test run started in
/// the background by a shell without job control (`cmd &` in a script, or `( cmd & )`) ignores SIGINT, and an
/// ignored signal stays ignored across exec, so the DevHost would never see the Ctrl+C the test sends. Perl (Debian's
/// perl-base is an Essential package) can set it back to the default before it execs the real command; a shell
/// cannot ("signals ignored upon entry to the shell cannot be trapped or reset").
/// </summary>
internal static class TerminalDefaults
{
    public const string Perl = "/usr/bin/perl";

    /// <summary>Whether this process ignores SIGINT (bit 1 of <c>SigIgn</c> in /proc/self/status).</summary>
    public static bool IgnoresSigint
    {
        get
        {
            var mask = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))[7..].Trim();
            return (Convert.ToUInt64(mask, 16) & (1UL << 1)) != 0;
        }
    }

    /// <summary>The program to start: perl when SIGINT must be set back to its default first, else the command itself.</summary>
    public static string Launcher => IgnoresSigint ? Perl : "/usr/bin/env";

    /// <summary>The arguments that come before the command.</summary>
    public static IReadOnlyList<string> LauncherArguments =>
        IgnoresSigint ? ["-e", "$SIG{INT} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec $ARGV[0]: $!\"", "--"] : [];
}
