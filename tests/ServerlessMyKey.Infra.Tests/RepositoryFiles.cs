namespace ServerlessMyKey.Infra.Tests;

/// <summary>Files of the repository under test, found by walking up from the test assembly to the solution file.</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string PathOf(string relativePath) => Path.Combine(Root.Value, relativePath);

    public static string ReadAllText(string relativePath) => File.ReadAllText(PathOf(relativePath));

    public static IEnumerable<string> BicepFiles() =>
        Directory.EnumerateFiles(PathOf("infra"), "*.bicep", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Contains("obj") && !f.Split(Path.DirectorySeparatorChar).Contains("bin"))
            .Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessMyKey.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"ServerlessMyKey.sln not found above {AppContext.BaseDirectory}.");
    }
}
