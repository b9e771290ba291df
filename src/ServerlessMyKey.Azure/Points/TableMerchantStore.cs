using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Points;

namespace ServerlessMyKey.Azure.Points;

/// <summary>
/// Merchants in one partition (registrations are rare), with the idempotent responses of their
/// registrations beside them, so a registration and its response are one transaction.
/// </summary>
internal sealed class TableMerchantStore(LazyTable table) : IMerchantStore
{
    private const string Partition = "merchants";
    private const string MerchantPrefix = "merchant|";

    public async Task<Merchant?> FindAsync(string merchantId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(Partition, MerchantPrefix + merchantId, cancellationToken: cancellationToken);
        return row.HasValue
            ? new Merchant(merchantId, row.Value!.GetString("Name"), row.Value.GetString("MunicipalityCode"), row.Value.GetString("ClientId"))
            : null;
    }

    public async Task<StoredResponse?> FindResponseAsync(string idempotencyKeyHash, CancellationToken cancellationToken = default) =>
        await IdempotencyRows.FindAsync(await table.GetAsync(cancellationToken), Partition, idempotencyKeyHash, cancellationToken);

    public async Task<bool> TryAddAsync(Merchant merchant, IdempotentWrite? response = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(merchant);
        List<TableTransactionAction> actions =
        [
            new(TableTransactionActionType.Add, new TableEntity(Partition, MerchantPrefix + merchant.MerchantId)
            {
                ["Name"] = merchant.Name,
                ["MunicipalityCode"] = merchant.MunicipalityCode,
                ["ClientId"] = merchant.ClientId,
            }),
        ];
        if (response is not null)
        {
            actions.Add(IdempotencyRows.Insert(Partition, response));
        }

        return await TableTransactions.TrySubmitAsync(await table.GetAsync(cancellationToken), actions, cancellationToken);
    }
}
