using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Core.Childcare;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Childcare;

/// <summary>
/// The application workflow in DurableTaskTestHost: all certificates in; one late; the deadline with
/// documents missing; returned then amended; withdrawn while waiting; duplicate events. The steps
/// (storage, mailbox) are recorded, so each test sees exactly which I/O the workflow asked for.
/// </summary>
public sealed class ApplicationOrchestrationTests : IAsyncLifetime
{
    private readonly RecordingSteps _steps = new();
    private DurableTaskTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await DurableTestHosts.StartAsync(
            tasks =>
            {
                tasks.AddOrchestrator<ApplicationOrchestrator>();
                tasks.AddActivity<RemindParentActivity>();
                tasks.AddActivity<HandToMunicipalityActivity>();
                tasks.AddActivity<DeliverNoticeActivity>();
                tasks.AddActivity<CloseRequestsActivity>();
            },
            services => services.AddSingleton<IApplicationWorkflowSteps>(_steps));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task With_every_certificate_in_it_hands_over_without_a_reminder_and_ends_with_the_decision()
    {
        var id = await StartAsync(TimeSpan.FromMinutes(10), "AAAA-AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB-BBBB");
        await CertificateAsync(id, "AAAA-AAAA-AAAA-AAAA");
        await CertificateAsync(id, "BBBB-BBBB-BBBB-BBBB");
        await _steps.WaitForAsync(id, "hand-over");
        await DecisionAsync(id, ApplicationStatus.Approved, 1);

        Assert.Equal(ApplicationStatus.Approved, await CompleteAsync(id));
        Assert.Equal(["hand-over", "notice-1"], _steps.Calls(id));
    }

    [Fact]
    public async Task Without_employers_it_waits_for_the_decision_at_once()
    {
        var id = await StartAsync(TimeSpan.FromMinutes(10));
        await DecisionAsync(id, ApplicationStatus.Rejected, 1);

        Assert.Equal(ApplicationStatus.Rejected, await CompleteAsync(id));
        Assert.Equal(["notice-1"], _steps.Calls(id));
    }

    [Fact]
    public async Task At_the_deadline_with_documents_missing_it_reminds_half_way_and_hands_over()
    {
        var id = await StartAsync(TimeSpan.FromSeconds(2), "AAAA-AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB-BBBB");
        await CertificateAsync(id, "AAAA-AAAA-AAAA-AAAA");
        await _steps.WaitForAsync(id, "hand-over");

        Assert.Equal(["remind", "hand-over"], _steps.Calls(id));
        await DecisionAsync(id, ApplicationStatus.Approved, 1);
        Assert.Equal(ApplicationStatus.Approved, await CompleteAsync(id));
    }

    [Fact]
    public async Task A_certificate_after_the_deadline_changes_nothing()
    {
        var id = await StartAsync(TimeSpan.FromSeconds(1), "AAAA-AAAA-AAAA-AAAA");
        await _steps.WaitForAsync(id, "hand-over");
        await CertificateAsync(id, "AAAA-AAAA-AAAA-AAAA");
        await DecisionAsync(id, ApplicationStatus.Approved, 1);

        Assert.Equal(ApplicationStatus.Approved, await CompleteAsync(id));
        Assert.Equal(["remind", "hand-over", "notice-1"], _steps.Calls(id));
    }

    [Fact]
    public async Task Returned_then_amended_loops_back_to_the_decision()
    {
        var id = await StartAsync(TimeSpan.FromMinutes(10));
        await DecisionAsync(id, ApplicationStatus.Returned, 1);
        await _steps.WaitForAsync(id, "notice-1");
        await _host.Client.RaiseEventAsync(id, ApplicationOrchestrator.AmendedEvent, new ApplicationSignal(ApplicationStatus.Received, 1));
        await DecisionAsync(id, ApplicationStatus.Approved, 2);

        Assert.Equal(ApplicationStatus.Approved, await CompleteAsync(id));
        Assert.Equal(["notice-1", "notice-2"], _steps.Calls(id));
    }

    [Fact]
    public async Task Withdrawn_while_waiting_for_the_employer_closes_the_requests_and_ends()
    {
        var id = await StartAsync(TimeSpan.FromMinutes(10), "AAAA-AAAA-AAAA-AAAA");
        await WithdrawAsync(id);

        Assert.Equal(ApplicationStatus.Withdrawn, await CompleteAsync(id));
        Assert.Equal(["close"], _steps.Calls(id));
    }

    [Fact]
    public async Task Withdrawn_while_returned_ends_without_a_second_notice()
    {
        var id = await StartAsync(TimeSpan.FromMinutes(10));
        await DecisionAsync(id, ApplicationStatus.Returned, 1);
        await _steps.WaitForAsync(id, "notice-1");
        await WithdrawAsync(id);

        Assert.Equal(ApplicationStatus.Withdrawn, await CompleteAsync(id));
        Assert.Equal(["notice-1", "close"], _steps.Calls(id));
    }

    [Fact]
    public async Task Duplicate_events_are_taken_once()
    {
        var id = await StartAsync(TimeSpan.FromMinutes(10), "AAAA-AAAA-AAAA-AAAA");
        await CertificateAsync(id, "AAAA-AAAA-AAAA-AAAA");
        await CertificateAsync(id, "AAAA-AAAA-AAAA-AAAA");
        await _steps.WaitForAsync(id, "hand-over");
        await DecisionAsync(id, ApplicationStatus.Returned, 1);
        await DecisionAsync(id, ApplicationStatus.Returned, 1);
        await _steps.WaitForAsync(id, "notice-1");
        await _host.Client.RaiseEventAsync(id, ApplicationOrchestrator.AmendedEvent, new ApplicationSignal(ApplicationStatus.Received, 1));
        await _host.Client.RaiseEventAsync(id, ApplicationOrchestrator.AmendedEvent, new ApplicationSignal(ApplicationStatus.Received, 1));
        await DecisionAsync(id, ApplicationStatus.Approved, 2);
        await DecisionAsync(id, ApplicationStatus.Approved, 2);

        Assert.Equal(ApplicationStatus.Approved, await CompleteAsync(id));
        Assert.Equal(["hand-over", "notice-1", "notice-2"], _steps.Calls(id));
    }

    private async Task<string> StartAsync(TimeSpan wait, params string[] requestCodes)
    {
        var id = "131016-" + Guid.NewGuid().ToString("N")[..24];
        await _host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(ApplicationOrchestrator), new ApplicationWorkflowInput(id, requestCodes, wait), new StartOrchestrationOptions(id));
        return id;
    }

    private Task CertificateAsync(string id, string requestCode) =>
        _host.Client.RaiseEventAsync(id, ApplicationOrchestrator.CertificateEvent(requestCode), new ApplicationSignal(EmploymentRequestStatus.Fulfilled, 1));

    private Task DecisionAsync(string id, string decision, int seq) =>
        _host.Client.RaiseEventAsync(id, ApplicationOrchestrator.DecisionEvent, new ApplicationSignal(decision, seq));

    private Task WithdrawAsync(string id) =>
        _host.Client.RaiseEventAsync(id, ApplicationOrchestrator.WithdrawnEvent, new ApplicationSignal(ApplicationStatus.Withdrawn, 1));

    private async Task<string> CompleteAsync(string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var metadata = await _host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return metadata.ReadOutputAs<string>()!;
    }

    private sealed class RecordingSteps : IApplicationWorkflowSteps
    {
        private readonly ConcurrentDictionary<string, List<string>> _calls = new();

        public List<string> Calls(string id)
        {
            var list = _calls.GetOrAdd(id, _ => []);
            lock (list)
            {
                return [.. list];
            }
        }

        public async Task WaitForAsync(string id, string call)
        {
            // Generous: a step can come after a durable timer on a possibly loaded machine.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (Calls(id).Contains(call))
                {
                    return;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"{call} was not called; calls: {string.Join(", ", Calls(id))}.");
        }

        public Task RemindParentAsync(string applicationId, CancellationToken cancellationToken = default) => Record(applicationId, "remind");

        public async Task<string> HandToMunicipalityAsync(string applicationId, CancellationToken cancellationToken = default)
        {
            await Record(applicationId, "hand-over");
            return ApplicationStatus.Received;
        }

        public Task DeliverNoticeAsync(string applicationId, int decisionSeq, CancellationToken cancellationToken = default) => Record(applicationId, "notice-" + decisionSeq);

        public Task CloseRequestsAsync(string applicationId, CancellationToken cancellationToken = default) => Record(applicationId, "close");

        private Task Record(string id, string call)
        {
            var list = _calls.GetOrAdd(id, _ => []);
            lock (list)
            {
                list.Add(call);
            }

            return Task.CompletedTask;
        }
    }
}
