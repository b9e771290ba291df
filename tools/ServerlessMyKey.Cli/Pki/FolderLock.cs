namespace ServerlessMyKey.Cli.Pki;

/// <summary>An exclusive lock file, so a DevHost and a mykey command never write the PKI at once.</summary>
internal static class FolderLock
{
    public static FileStream Acquire(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }
}
