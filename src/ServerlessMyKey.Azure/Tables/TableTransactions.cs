using Azure;
using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>Entity-group transactions that are checked against Azure's limits and report a lost race as <c>false</c>.</summary>
internal static class TableTransactions
{
    /// <summary>
    /// Submits a checked transaction; <c>false</c> when it lost to a concurrent writer (a row it
    /// inserts exists: 409, or a row it updates changed: 412).
    /// </summary>
    public static async Task<bool> TrySubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        TableLimits.EnsureTransaction(actions);
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>As <see cref="TrySubmitAsync"/>, with the new ETag of each action's row (in order); <c>null</c> when it lost.</summary>
    public static async Task<IReadOnlyList<ETag?>?> TrySubmitForETagsAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        TableLimits.EnsureTransaction(actions);
        try
        {
            var responses = (await table.SubmitTransactionAsync(actions, cancellationToken)).Value;
            return [.. responses.Select(r => r.Headers.ETag)];
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
    }
}
