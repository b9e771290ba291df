using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Tests.TestSupport;

namespace ServerlessMyKey.Azure.Tests.Keys;

public sealed class ExclusiveFilePlacementTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Places_the_file_when_the_target_is_free()
    {
        var source = Write("source", "mine");
        var target = Path.Combine(_folder.Path, "target");

        Assert.True(ExclusiveFilePlacement.TryPlace(source, target));

        Assert.Equal("mine", File.ReadAllText(target));
        Assert.False(File.Exists(source));
    }

    [Fact]
    public void Leaves_an_existing_target_untouched()
    {
        var target = Write("target", "theirs");
        var source = Write("source", "mine");

        Assert.False(ExclusiveFilePlacement.TryPlace(source, target));

        Assert.Equal("theirs", File.ReadAllText(target));
    }

    [Fact]
    public void Any_other_failure_is_an_error_not_a_lost_race()
    {
        var source = Path.Combine(_folder.Path, "missing");

        Assert.ThrowsAny<IOException>(() => ExclusiveFilePlacement.TryPlace(source, Path.Combine(_folder.Path, "target")));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder.Path, name);
        File.WriteAllText(path, text);
        return path;
    }
}
