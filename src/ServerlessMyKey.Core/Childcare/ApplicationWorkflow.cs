using Microsoft.DurableTask;

namespace ServerlessMyKey.Core.Childcare;

/// <summary>
/// One orchestration per application (instance id = applicationId). It waits for one employment
/// certificate per employer (fan-out of waits, one event name per request code) with a reminder to the
/// parent half-way and a deadline, hands the application to the municipality, then waits for the
/// decision; <c>returned</c> loops back through an amendment; a withdrawal ends it from any wait.
/// State changes asked over HTTP are written by the HTTP side (ETag-guarded); the events only tell
/// this workflow that they happened, by id and sequence number — never personal data. Deterministic:
/// all I/O is in the activities, which call <see cref="IApplicationWorkflowSteps"/>.
/// </summary>
public sealed class ApplicationOrchestrator : TaskOrchestrator<ApplicationWorkflowInput, string>
{
    public const string WithdrawnEvent = "Withdrawn";
    public const string DecisionEvent = "Decision";
    public const string AmendedEvent = "Amended";

    /// <summary>The event that a certificate for this request arrived.</summary>
    public static string CertificateEvent(string requestCode) => "Certificate-" + requestCode;

    public override async Task<string> RunAsync(TaskOrchestrationContext context, ApplicationWorkflowInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);

        // One outstanding wait for the whole run: a withdrawal during any phase is not lost.
        var withdrawn = context.WaitForExternalEvent<ApplicationSignal>(WithdrawnEvent);

        if (input.RequestCodes.Count > 0)
        {
            context.SetCustomStatus(ApplicationStatus.AwaitingDocuments);
            if (await AwaitCertificatesAsync(context, input, withdrawn))
            {
                return await CloseAsync(context, input);
            }

            var handed = await context.CallActivityAsync<string>(HandToMunicipalityActivity.Name, input.ApplicationId, Retry);
            if (handed == ApplicationStatus.Withdrawn)
            {
                return await CloseAsync(context, input);
            }
        }

        var lastDecision = 0;
        var lastAmendment = 0;
        for (var round = 0; round < MaxRounds; round++)
        {
            context.SetCustomStatus(ApplicationStatus.Received);
            var decision = await NextAsync(context, DecisionEvent, withdrawn, lastDecision);
            if (decision is null)
            {
                return await CloseAsync(context, input);
            }

            lastDecision = decision.Seq;
            await context.CallActivityAsync(DeliverNoticeActivity.Name, new NoticeDelivery(input.ApplicationId, decision.Seq), Retry);
            if (decision.Kind != ApplicationStatus.Returned)
            {
                return decision.Kind;
            }

            context.SetCustomStatus(ApplicationStatus.Returned);
            var amendment = await NextAsync(context, AmendedEvent, withdrawn, lastAmendment);
            if (amendment is null)
            {
                return await CloseAsync(context, input);
            }

            lastAmendment = amendment.Seq;
        }

        // Ten returns in a row: the workflow stops waiting; the record stays as the municipality left it.
        return ApplicationStatus.Returned;
    }

    /// <summary>Rounds of decision and amendment one run follows (a bound on the history).</summary>
    public const int MaxRounds = 10;

    private const int MaxDuplicates = 100;

    private static TaskOptions Retry { get; } = new(new TaskRetryOptions(new RetryPolicy(5, TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(5))));

    /// <summary>True when the application was withdrawn while waiting; false when every certificate came or the deadline passed.</summary>
    private static async Task<bool> AwaitCertificatesAsync(TaskOrchestrationContext context, ApplicationWorkflowInput input, Task<ApplicationSignal> withdrawn)
    {
        var outstanding = input.RequestCodes.Select(code => context.WaitForExternalEvent<ApplicationSignal>(CertificateEvent(code))).ToList();
        var start = context.CurrentUtcDateTime;
        using var cancelTimers = new CancellationTokenSource();
        var deadline = context.CreateTimer(start.Add(input.EmployerResponseWait), cancelTimers.Token);
        Task? reminder = context.CreateTimer(start.Add(input.EmployerResponseWait / 2), cancelTimers.Token);
        try
        {
            while (outstanding.Count > 0)
            {
                var waits = new List<Task>(outstanding) { withdrawn, deadline };
                if (reminder is not null)
                {
                    waits.Add(reminder);
                }

                var winner = await Task.WhenAny(waits);
                if (winner == withdrawn)
                {
                    return true;
                }

                if (winner == deadline)
                {
                    return false;
                }

                if (winner == reminder)
                {
                    reminder = null;
                    await context.CallActivityAsync(RemindParentActivity.Name, input.ApplicationId, Retry);
                    continue;
                }

                outstanding.Remove((Task<ApplicationSignal>)winner);
            }

            return false;
        }
        finally
        {
            // The losing timers must be cancelled, or the orchestration would wait for them.
            cancelTimers.Cancel();
        }
    }

    /// <summary>The next <paramref name="eventName"/> with a sequence number above <paramref name="last"/> (duplicates are skipped); null when withdrawn first.</summary>
    private static async Task<ApplicationSignal?> NextAsync(TaskOrchestrationContext context, string eventName, Task<ApplicationSignal> withdrawn, int last)
    {
        for (var skipped = 0; skipped < MaxDuplicates; skipped++)
        {
            var next = context.WaitForExternalEvent<ApplicationSignal>(eventName);
            if (await Task.WhenAny(next, withdrawn) == withdrawn)
            {
                return null;
            }

            if (next.Result.Seq > last)
            {
                return next.Result;
            }
        }

        throw new InvalidOperationException($"More than {MaxDuplicates} stale {eventName} events.");
    }

    private static async Task<string> CloseAsync(TaskOrchestrationContext context, ApplicationWorkflowInput input)
    {
        await context.CallActivityAsync(CloseRequestsActivity.Name, input.ApplicationId, Retry);
        return ApplicationStatus.Withdrawn;
    }
}

/// <summary>The orchestration's input: ids and the wait, nothing personal.</summary>
public sealed record ApplicationWorkflowInput(string ApplicationId, IReadOnlyList<string> RequestCodes, TimeSpan EmployerResponseWait);

/// <summary>An event: what happened (a decision's kind), with the record's sequence number so a duplicate is recognised.</summary>
public sealed record ApplicationSignal(string Kind, int Seq);

/// <summary>Which decision's notice to deliver.</summary>
public sealed record NoticeDelivery(string ApplicationId, int DecisionSeq);

/// <summary>The I/O of the workflow (storage and mailbox), each step idempotent.</summary>
public interface IApplicationWorkflowSteps
{
    /// <summary>A reminder to the parent's mailbox naming the outstanding employers.</summary>
    Task RemindParentAsync(string applicationId, CancellationToken cancellationToken = default);

    /// <summary>Closes open requests and moves <c>awaiting_documents</c> to <c>received</c>; answers the status after (maybe <c>withdrawn</c>).</summary>
    Task<string> HandToMunicipalityAsync(string applicationId, CancellationToken cancellationToken = default);

    /// <summary>Delivers the decision's notice to the parent's mailbox (once, whatever the retries).</summary>
    Task DeliverNoticeAsync(string applicationId, int decisionSeq, CancellationToken cancellationToken = default);

    /// <summary>Closes every open request of the application.</summary>
    Task CloseRequestsAsync(string applicationId, CancellationToken cancellationToken = default);
}

[DurableTask(Name)]
public sealed class RemindParentActivity(IApplicationWorkflowSteps steps) : TaskActivity<string, bool>
{
    public const string Name = "ChildcareRemindParent";

    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        await steps.RemindParentAsync(input);
        return true;
    }
}

[DurableTask(Name)]
public sealed class HandToMunicipalityActivity(IApplicationWorkflowSteps steps) : TaskActivity<string, string>
{
    public const string Name = "ChildcareHandToMunicipality";

    public override Task<string> RunAsync(TaskActivityContext context, string input) => steps.HandToMunicipalityAsync(input);
}

[DurableTask(Name)]
public sealed class DeliverNoticeActivity(IApplicationWorkflowSteps steps) : TaskActivity<NoticeDelivery, bool>
{
    public const string Name = "ChildcareDeliverNotice";

    public override async Task<bool> RunAsync(TaskActivityContext context, NoticeDelivery input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await steps.DeliverNoticeAsync(input.ApplicationId, input.DecisionSeq);
        return true;
    }
}

[DurableTask(Name)]
public sealed class CloseRequestsActivity(IApplicationWorkflowSteps steps) : TaskActivity<string, bool>
{
    public const string Name = "ChildcareCloseRequests";

    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        await steps.CloseRequestsAsync(input);
        return true;
    }
}

/// <summary>Starts workflows and raises their events (the Durable client, in the Functions app).</summary>
public interface IApplicationWorkflows
{
    /// <summary>Schedules the application's orchestration unless it exists.</summary>
    Task EnsureStartedAsync(ApplicationWorkflowInput input, CancellationToken cancellationToken = default);

    Task RaiseAsync(string applicationId, string eventName, ApplicationSignal signal, CancellationToken cancellationToken = default);
}
