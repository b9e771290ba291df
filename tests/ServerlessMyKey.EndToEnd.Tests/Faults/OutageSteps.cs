using System.Net;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Faults;

/// <summary>Stopping and starting storage, each step waiting until the app itself reports it (health 503, then 200).</summary>
internal static class OutageSteps
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static async Task StopUntilNoticedAsync(StorageOutage storage, HttpClient http)
    {
        storage.Stop();
        await WaitForHealthAsync(http, HttpStatusCode.ServiceUnavailable);
    }

    public static async Task StartUntilNoticedAsync(StorageOutage storage, HttpClient http)
    {
        storage.Start();
        await WaitForHealthAsync(http, HttpStatusCode.OK);
    }

    private static async Task WaitForHealthAsync(HttpClient http, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            using var response = await http.GetAsync(new Uri("api/health", UriKind.Relative));
            if (response.StatusCode == expected)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Health stayed {(int)response.StatusCode}, waiting for {(int)expected}.");
            await Task.Delay(200);
        }
    }
}
