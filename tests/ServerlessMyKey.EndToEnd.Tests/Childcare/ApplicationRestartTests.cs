using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Testing;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Childcare.ChildcareApiFixture;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>An application waiting for its employer survives a DevHost restart: the new host takes HR's certificate and hands it over.</summary>
public sealed class ApplicationRestartTests
{
    [Fact]
    public async Task An_application_waiting_for_the_employer_survives_a_DevHost_restart()
    {
        var storage = await AzuriteServer.GetConnectionStringAsync();
        var dataPath = DevHostFixture.NewDataPath("childcare");
        var hub = AzuriteServer.UniqueName("e2e");
        var settings = new Dictionary<string, string?>
        {
            ["Clients:chiyoda:ApiKey"] = ChiyodaKey,
            ["Clients:chiyoda:Roles"] = "childcare.municipality",
            ["Childcare:Municipalities:131016:Clients"] = "chiyoda",
        };
        string applicationId, requestCode, hrToken, number;
        VirtualCard hr;

        await using (var first = await DevHostFixture.StartAsync(storage, dataPath, settings, durableHubName: hub))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            var pki = DevelopmentPki.LoadOrCreate(Path.Combine(dataPath, "pki"));
            var (parentId, parentToken, parent) = await LoginAsync(http, pki, Parent);
            var (hrId, token, hrCard) = await LoginAsync(http, pki, HrEmployee);
            (hrToken, hr) = (token, hrCard);
            var representative = pki.IssueCard(Representative);
            var document = Document(hrId, delegateName: HrEmployee.Name);
            document["powers"] = new[] { new { procedure = "childcare.employment-certificate", agency = "131016" } };
            var created = await (await http.PostAsJsonAsync("api/delegations", new { delegation = document, signature = Signed(representative, document) })).Content.ReadFromJsonAsync<JsonElement>();
            var delegationId = created.GetProperty("delegationId").GetString()!;
            number = created.GetProperty("number").GetString()!;
            (await SendAsync(http, HttpMethod.Post, $"api/delegations/{delegationId}/acceptance", hrToken, new { signature = Signed(hr, new { action = "accept", delegationId }) })).EnsureSuccessStatusCode();

            var application = For(parentId, Nursery(CorporateNumber));
            var accepted = await ResponseAssert.JsonAsync(await SendAsync(http, HttpMethod.Post, "api/childcare/applications", parentToken, new { application, signature = Signed(parent, application) }), HttpStatusCode.Accepted);
            applicationId = accepted.GetProperty("applicationId").GetString()!;
            requestCode = accepted.GetProperty("employmentCertificateRequests")[0].GetProperty("requestCode").GetString()!;

            // The restart is meant to find the workflow waiting for the employer: stopping the host before its
            // first episode would leave the start message locked in the queue for its visibility timeout.
            using var started = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await first.DurableClient!.WaitForInstanceStartAsync(applicationId, started.Token);
        }

        await using var second = await DevHostFixture.StartAsync(storage, dataPath, settings, durableHubName: hub);
        using var http2 = new HttpClient { BaseAddress = second.BaseAddress };
        var certificate = ChildcareWalkthroughTests.EmploymentCertificate(CorporateNumber);
        await ResponseAssert.JsonAsync(await SendAsync(http2, HttpMethod.Post, $"api/childcare/employment-certificate-requests/{requestCode}/certificate", hrToken,
            new { certificate, delegationNumber = number, signature = Signed(hr, certificate) }), HttpStatusCode.Created);

        // Up to two minutes: the new host first takes over the task hub's partition leases from the stopped one.
        for (var i = 0; i < 480; i++)
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, $"api/childcare/applications/{applicationId}");
            get.Headers.Add("x-api-key", ChiyodaKey);
            var view = await (await http2.SendAsync(get)).Content.ReadFromJsonAsync<JsonElement>();
            if (view.GetProperty("status").GetString() == "received")
            {
                Assert.Equal(1, view.GetProperty("employmentCertificates").GetArrayLength());
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail("The application was not handed over after the restart.");
    }

    private static async Task<(string MyKeyId, string Token, VirtualCard Card)> LoginAsync(HttpClient http, DevelopmentPki pki, CardHolder holder)
    {
        var card = pki.IssueCard(holder);
        var session = await new MyKeyApiClient(http).LoginAsync(card);
        return (session.GetProperty("myKeyId").GetString()!, session.GetProperty("accessToken").GetString()!, card);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return await http.SendAsync(request);
    }
}
