using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests;

/// <summary>Waits for something observable (a row, a webhook, a status) by polling, and fails the test after a time limit.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="poll"/> until it answers a value.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> poll, TimeSpan timeout)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(poll);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await poll() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting.");
            await Task.Delay(200);
        }
    }

    /// <summary>Polls <paramref name="poll"/> until the list it answers is not empty.</summary>
    public static Task<List<T>> WaitForAsync<T>(Func<List<T>> poll, TimeSpan timeout) =>
        WaitForAsync(() => Task.FromResult(poll() is { Count: > 0 } found ? found : null), timeout);
}
