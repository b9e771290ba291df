using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Medical;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Azure.Medical;

/// <summary><c>MedicalConsents</c>: partition = MyKey ID, row = consent id; inserted once, withdrawn by an ETag-conditional rewrite.</summary>
internal sealed class TableConsentStore(LazyTable consents) : IConsentStore
{
    public async Task<bool> TryAddAsync(ConsentRecord consent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        return await TableTransactions.TrySubmitAsync(await consents.GetAsync(cancellationToken), [new(TableTransactionActionType.Add, Row(consent))], cancellationToken);
    }

    public async Task<ConsentRecord?> FindAsync(string myKeyId, string consentId, CancellationToken cancellationToken = default)
    {
        var client = await consents.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(myKeyId, consentId, cancellationToken: cancellationToken);
        return row.HasValue ? Read(row.Value!) : null;
    }

    public async Task<bool> TryUpdateAsync(ConsentRecord consent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        return await TableTransactions.TrySubmitAsync(
            await consents.GetAsync(cancellationToken), [new(TableTransactionActionType.UpdateReplace, Row(consent), new ETag(consent.ETag!))], cancellationToken);
    }

    public async Task<IReadOnlyList<ConsentRecord>> ListAsync(string myKeyId, int limit, CancellationToken cancellationToken = default)
    {
        var client = await consents.GetAsync(cancellationToken);
        var result = new List<ConsentRecord>();
        await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {myKeyId}"), maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            result.Add(Read(row));
            if (result.Count >= limit)
            {
                break;
            }
        }

        return result;
    }

    private static TableEntity Row(ConsentRecord consent) => new(consent.MyKeyId, consent.ConsentId)
    {
        ["Network"] = consent.Network,
        ["Facilities"] = string.Join(',', consent.Facilities),
        ["Categories"] = string.Join(',', consent.Categories),
        ["ValidTo"] = consent.ValidTo,
        ["Status"] = consent.Status,
        ["CreatedAt"] = consent.CreatedAt,
        ["WithdrawnAt"] = consent.WithdrawnAt,
        ["Signer"] = JsonSerializer.Serialize(consent.Signer),
        ["SignerSerialNumber"] = consent.SignerSerialNumber,
        ["StatementSha256"] = consent.StatementSha256,
    };

    private static ConsentRecord Read(TableEntity row) => new(
        row.PartitionKey,
        row.RowKey,
        row.GetString("Network"),
        row.GetString("Facilities").Split(',', StringSplitOptions.RemoveEmptyEntries),
        row.GetString("Categories").Split(',', StringSplitOptions.RemoveEmptyEntries),
        row.GetDateTimeOffset("ValidTo") ?? default,
        row.GetString("Status"),
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetDateTimeOffset("WithdrawnAt"),
        JsonSerializer.Deserialize<EncryptedEnvelope>(row.GetString("Signer"))!,
        row.GetString("SignerSerialNumber"),
        row.GetString("StatementSha256"))
    {
        ETag = row.ETag.ToString(),
    };
}
