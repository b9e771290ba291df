using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Medical;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Azure.Medical;

/// <summary>
/// Insurance members and links (docs/medical.md "Tables"). <c>MedicalInsurance</c>: partition = 保険者番号,
/// rows <c>m|&lt;memberKey&gt;</c> (the record; numbers, name and birth date only in the envelope) and
/// <c>n|&lt;keyed hash of the numbers&gt;</c> (the unique index, written in the same transaction); partition
/// <c>keys</c> holds the wrapped index key. <c>MedicalInsuranceLinks</c>: partition = MyKey ID, row <c>link</c>.
/// </summary>
internal sealed class TableInsuranceStore(LazyTable members, LazyTable links) : IInsuranceStore
{
    private const string KeysPartition = "keys";
    private const string IndexKeyRow = "insurance-index";
    private const string MemberPrefix = "m|";
    private const string IndexPrefix = "n|";
    private const string LinkRow = "link";

    public IKeyedHashKeyRow IndexKey { get; } = new TableKeyedHashKeyRow(members, KeysPartition, IndexKeyRow);

    public async Task<StoredMember?> FindMemberAsync(string insurerNumber, string memberKey, CancellationToken cancellationToken = default)
    {
        var client = await members.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(insurerNumber, MemberPrefix + memberKey, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var entity = row.Value!;
        return new StoredMember(
            insurerNumber, memberKey, entity.GetString("NumberIndex"), JsonSerializer.Deserialize<EncryptedEnvelope>(entity.GetString("Personal"))!,
            entity.GetString("ValidFrom"), entity.GetString("ValidTo"), entity.GetInt32("CopayRate") ?? 0, entity.GetString("ContentHash"),
            entity.GetDateTimeOffset("UpdatedAt") ?? default)
        {
            ETag = entity.ETag.ToString(),
        };
    }

    public async Task<string?> FindMemberKeyAsync(string insurerNumber, string numberIndex, CancellationToken cancellationToken = default)
    {
        var client = await members.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(insurerNumber, IndexPrefix + numberIndex, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetString("MemberKey") : null;
    }

    public async Task<bool> TryWriteMemberAsync(StoredMember? current, StoredMember next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        var row = new TableEntity(next.InsurerNumber, MemberPrefix + next.MemberKey)
        {
            ["NumberIndex"] = next.NumberIndex,
            ["Personal"] = JsonSerializer.Serialize(next.Personal),
            ["ValidFrom"] = next.ValidFrom,
            ["ValidTo"] = next.ValidTo,
            ["CopayRate"] = next.CopayRate,
            ["ContentHash"] = next.ContentHash,
            ["UpdatedAt"] = next.UpdatedAt,
        };
        var actions = new List<TableTransactionAction>();
        if (current is null)
        {
            actions.Add(new(TableTransactionActionType.Add, row));
        }
        else
        {
            // The record's ETag guards the whole change, so its old index row can go unconditionally.
            actions.Add(new(TableTransactionActionType.UpdateReplace, row, new ETag(current.ETag!)));
            if (current.NumberIndex != next.NumberIndex)
            {
                actions.Add(new(TableTransactionActionType.Delete, new TableEntity(next.InsurerNumber, IndexPrefix + current.NumberIndex), ETag.All));
            }
        }

        if (current?.NumberIndex != next.NumberIndex)
        {
            // Insert-only: numbers another member took meanwhile make the transaction fail.
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(next.InsurerNumber, IndexPrefix + next.NumberIndex) { ["MemberKey"] = next.MemberKey }));
        }

        return await TableTransactions.TrySubmitAsync(await members.GetAsync(cancellationToken), actions, cancellationToken);
    }

    public async Task<InsuranceLink?> FindLinkAsync(string myKeyId, CancellationToken cancellationToken = default)
    {
        var client = await links.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(myKeyId, LinkRow, cancellationToken: cancellationToken);
        return row.HasValue
            ? new InsuranceLink(myKeyId, row.Value!.GetString("InsurerNumber"), row.Value.GetString("MemberKey"), row.Value.GetDateTimeOffset("LinkedAt") ?? default)
            : null;
    }

    public async Task WriteLinkAsync(InsuranceLink link, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(link);
        var row = new TableEntity(link.MyKeyId, LinkRow) { ["InsurerNumber"] = link.InsurerNumber, ["MemberKey"] = link.MemberKey, ["LinkedAt"] = link.LinkedAt };
        TableLimits.EnsureEntity(row);
        await (await links.GetAsync(cancellationToken)).UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }
}
