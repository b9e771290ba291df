namespace ServerlessMyKey.LocalStorage;

/// <summary>Finds the repository root: the nearest folder upwards holding ServerlessMyKey.sln and package.json.</summary>
public static class RepositoryRoot
{
    public static string? TryFind(string? startDirectory = null)
    {
        foreach (var start in new[] { startDirectory, AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ServerlessMyKey.sln")) && File.Exists(Path.Combine(dir.FullName, "package.json")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    public static string Find(string? startDirectory = null) =>
        TryFind(startDirectory) ?? throw new InvalidOperationException(
            "Could not find the repository root (a folder with ServerlessMyKey.sln and package.json) above " + (startDirectory ?? AppContext.BaseDirectory));
}
