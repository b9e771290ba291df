using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Idempotency;

/// <summary>
/// Runs a read-decide-write attempt until it commits: an attempt returns <c>null</c> when its
/// conditional write lost to a concurrent one, and is then run again on fresh data after a short
/// random pause. After <see cref="MaxAttempts"/> losses the caller gets 409 <c>conflict</c>.
/// </summary>
public static class OptimisticRetry
{
    public const int MaxAttempts = 40;

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T?>> attempt, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(attempt);
        for (var attemptNumber = 1; ; attemptNumber++)
        {
            if (await attempt(cancellationToken) is { } result)
            {
                return result;
            }

            if (attemptNumber >= MaxAttempts)
            {
                throw new ServiceException(ErrorCodes.Conflict, "The record is being changed by other requests; retry.");
            }

            // Real time on purpose, not the injected clock: this spreads out contending writers and
            // must not wait on a test's fake clock.
            var ceilingMs = Math.Min(200, 4 << Math.Min(attemptNumber, 6));
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceilingMs)), cancellationToken);
        }
    }

    /// <summary>
    /// <see cref="RunAsync{T}"/> for a write that stores its response under an idempotency key: each
    /// attempt first looks for the stored response and replays it (or refuses another request).
    /// </summary>
    public static Task<StoredResponse> RunIdempotentAsync(
        IdempotentRequest? idempotency,
        Func<string, CancellationToken, Task<StoredResponse?>> findStoredResponse,
        Func<CancellationToken, Task<StoredResponse?>> attempt,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(findStoredResponse);
        ArgumentNullException.ThrowIfNull(attempt);
        return RunAsync(
            async ct => idempotency is not null && await findStoredResponse(idempotency.KeyHash, ct) is { } stored
                ? stored.ReplayFor(idempotency)
                : await attempt(ct),
            cancellationToken);
    }
}
