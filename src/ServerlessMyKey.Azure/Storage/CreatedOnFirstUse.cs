namespace ServerlessMyKey.Azure.Storage;

/// <summary>
/// A storage resource (table, blob container, queue) created on first use, once per process; a
/// failed creation is not remembered but tried again on the next use.
/// </summary>
internal sealed class CreatedOnFirstUse<T>(Func<CancellationToken, Task<T>> create)
    where T : class
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private T? _value;

    public async ValueTask<T> GetAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _value) is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_value is null)
            {
                Volatile.Write(ref _value, await create(cancellationToken));
            }

            return _value!;
        }
        finally
        {
            _gate.Release();
        }
    }
}
