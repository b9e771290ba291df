using ServerlessMyKey.Core.Childcare;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>
/// The real application store with a gate in front of <see cref="IApplicationStore.TryUpdateAsync"/>, so
/// a test can order two concurrent writers deterministically: once armed for an application, the first
/// update waits until a second one arrives, goes first, and only then lets the second through.
/// Unarmed it only passes calls on.
/// </summary>
public sealed class GatedApplicationStore(IApplicationStore inner, RaceGate gate) : IApplicationStore
{
    public Task<bool> TryCreateAsync(ApplicationRecord record, CancellationToken cancellationToken = default) => inner.TryCreateAsync(record, cancellationToken);

    public Task<ApplicationRecord?> FindAsync(string applicationId, CancellationToken cancellationToken = default) => inner.FindAsync(applicationId, cancellationToken);

    public Task<bool> TryUpdateAsync(ApplicationRecord record, CancellationToken cancellationToken = default) =>
        gate.RunAsync(record.ApplicationId, () => inner.TryUpdateAsync(record, cancellationToken));

    public Task<(IReadOnlyList<ApplicationRecord> Records, string? ContinuationToken)> ListAsync(
        string municipalityCode, string? status, string? procedure, DateTimeOffset? since, int limit, string? continuationToken, CancellationToken cancellationToken = default) =>
        inner.ListAsync(municipalityCode, status, procedure, since, limit, continuationToken, cancellationToken);

    public Task EnsureRequestAsync(EmploymentRequestRecord request, CancellationToken cancellationToken = default) => inner.EnsureRequestAsync(request, cancellationToken);

    public Task<EmploymentRequestRecord?> FindRequestAsync(string requestCode, CancellationToken cancellationToken = default) => inner.FindRequestAsync(requestCode, cancellationToken);

    public Task<bool> TryUpdateRequestAsync(EmploymentRequestRecord request, CancellationToken cancellationToken = default) => inner.TryUpdateRequestAsync(request, cancellationToken);

    public Task LinkSignerAsync(string signerKey, string myKeyId, CancellationToken cancellationToken = default) => inner.LinkSignerAsync(signerKey, myKeyId, cancellationToken);

    public Task<string?> FindSignerAsync(string signerKey, CancellationToken cancellationToken = default) => inner.FindSignerAsync(signerKey, cancellationToken);

    public Task IndexApplicantAsync(ApplicationRecord record, CancellationToken cancellationToken = default) => inner.IndexApplicantAsync(record, cancellationToken);

    public Task<(IReadOnlyList<string> ApplicationIds, string? ContinuationToken)> ListApplicantsAsync(string myKeyId, int limit, string? continuationToken, CancellationToken cancellationToken = default) =>
        inner.ListApplicantsAsync(myKeyId, limit, continuationToken, cancellationToken);
}

/// <summary>Orders the first two record updates of one application: the first waits for the second to arrive, and completes before it.</summary>
public sealed class RaceGate
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly object _lock = new();
    private string? _applicationId;
    private int _arrivals;
    private TaskCompletionSource _firstArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _secondArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _firstDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The first update of the armed application is waiting at the gate.</summary>
    public Task FirstArrived => _firstArrived.Task.WaitAsync(Patience);

    public void Arm(string applicationId)
    {
        lock (_lock)
        {
            (_applicationId, _arrivals) = (applicationId, 0);
            _firstArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _secondArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _firstDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public async Task<bool> RunAsync(string applicationId, Func<Task<bool>> update)
    {
        int arrival;
        lock (_lock)
        {
            arrival = applicationId == _applicationId ? ++_arrivals : 0;
        }

        switch (arrival)
        {
            case 1:
                _firstArrived.TrySetResult();
                await _secondArrived.Task.WaitAsync(Patience);
                try
                {
                    return await update();
                }
                finally
                {
                    _firstDone.TrySetResult();
                }

            case 2:
                _secondArrived.TrySetResult();
                await _firstDone.Task.WaitAsync(Patience);
                return await update();
            default:
                return await update();
        }
    }
}
