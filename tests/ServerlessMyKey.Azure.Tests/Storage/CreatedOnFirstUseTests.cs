using ServerlessMyKey.Azure.Storage;

namespace ServerlessMyKey.Azure.Tests.Storage;

public sealed class CreatedOnFirstUseTests
{
    [Fact]
    public async Task A_failed_creation_is_tried_again_and_a_success_is_kept()
    {
        var attempts = 0;
        var resource = new CreatedOnFirstUse<string>(_ => ++attempts == 1 ? throw new IOException("storage is down") : Task.FromResult("created"));

        await Assert.ThrowsAsync<IOException>(async () => await resource.GetAsync());
        Assert.Equal("created", await resource.GetAsync());
        Assert.Equal("created", await resource.GetAsync());
        Assert.Equal(2, attempts);
    }
}
