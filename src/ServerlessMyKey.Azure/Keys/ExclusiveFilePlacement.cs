using System.Runtime.InteropServices;

namespace ServerlessMyKey.Azure.Keys;

/// <summary>
/// Puts a finished file at its final path only if nothing is there yet, atomically, so that two
/// processes creating the same file at once cannot both succeed. <see cref="File.Move(string, string, bool)"/>
/// without overwrite is not enough on Unix: .NET checks that the target is missing and then calls
/// <c>rename()</c>, which replaces whatever another process placed in between. <c>link()</c> fails
/// with <c>EEXIST</c> instead, in one step. On Windows <c>MoveFileEx</c> without replace is already atomic.
/// </summary>
internal static class ExclusiveFilePlacement
{
    private const int AlreadyExists = 17; // EEXIST on Linux and macOS

    /// <summary>Moves <paramref name="source"/> to <paramref name="target"/>; false when <paramref name="target"/> already exists.</summary>
    public static bool TryPlace(string source, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(source, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }

        if (Link(source, target) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error == AlreadyExists
                ? false
                : throw new IOException($"Could not place '{target}': link() failed with errno {error} ({Marshal.GetPInvokeErrorMessage(error)}).");
        }

        File.Delete(source);
        return true;
    }

    // DllImport rather than LibraryImport: the generated marshalling would need unsafe code in this project.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existingPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
#pragma warning restore SYSLIB1054
}
