using Azure;
using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// The two conditional writes the stores are built on, and a point read. Insert-only (<see cref="TryAddAsync"/>): of
/// two writers of one row exactly one wins, the basis of unique ids, single-use markers and insert-if-absent keys.
/// ETag-conditional (<see cref="TryReplaceAsync"/>): a row read, changed and written back only if no one changed or
/// deleted it meanwhile, the basis of single-use consumption (a challenge, an authorization code, a ticket's entry).
/// </summary>
internal static class TableRows
{
    /// <summary>Inserts <paramref name="entity"/>; <c>false</c> when a row with its keys exists (409).</summary>
    public static async Task<bool> TryAddAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Replaces the row <paramref name="entity"/> was read as (its ETag); <c>false</c> when it changed (412) or is gone (404) since.</summary>
    public static async Task<bool> TryReplaceAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>The row, or <c>null</c> when there is none.</summary>
    public static async Task<TableEntity?> FindAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }
}
