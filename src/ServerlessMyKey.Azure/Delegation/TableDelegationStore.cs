using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Keys;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Azure.Delegation;

/// <summary>
/// Delegations in Table Storage. <c>Delegations</c>: partition = delegation id, row <c>delegation</c>
/// (state, replaced under its ETag) and insert-only rows <c>event|&lt;ticks&gt;-&lt;random&gt;</c>
/// (the history, oldest first, read a page at a time: each event is its own small row, so the history
/// grows by rows, never inside one property or entity); a status change and its event are one transaction; and
/// <c>sealed|&lt;transmission id&gt;</c>, one empty row per transmission sealed to be sent (kept after its instance is purged).
/// <c>DelegationNumbers</c>: partition = 委任状番号, the unique index to the id.
/// </summary>
internal sealed class TableDelegationStore(LazyTable delegations, LazyTable numbers, EnvelopeEncryption envelopes, DelegationDocumentCache documents) : IDelegationStore
{
    private const string StateRow = "delegation";
    private const string EventPrefix = "event|";
    private const string EventsEnd = "event}";
    private const string NumberRow = "id";
    private const string SealedPrefix = "sealed|";

    public async Task<bool> TryCreateAsync(DelegationRecord record, DelegationEvent created, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(created);

        // Checked before anything is written, so a record too large for Table Storage leaves nothing behind.
        var entity = await ToEntityAsync(record, cancellationToken);
        TableLimits.EnsureEntity(entity);

        // The index next: a number that another delegation holds must never be shared.
        var index = await numbers.GetAsync(cancellationToken);
        if (!await TableRows.TryAddAsync(index, new TableEntity(record.Number, NumberRow) { ["DelegationId"] = record.DelegationId }, cancellationToken))
        {
            var owner = await index.GetEntityAsync<TableEntity>(record.Number, NumberRow, cancellationToken: cancellationToken);
            if (owner.Value.GetString("DelegationId") != record.DelegationId)
            {
                throw new InvalidOperationException($"Delegation number {record.Number} is already held by another delegation.");
            }
        }

        return await TableTransactions.TrySubmitAsync(
            await delegations.GetAsync(cancellationToken),
            [new(TableTransactionActionType.Add, entity), new(TableTransactionActionType.Add, EventEntity(record.DelegationId, created))],
            cancellationToken);
    }

    public async Task<DelegationRecord?> FindAsync(string delegationId, CancellationToken cancellationToken = default)
    {
        var client = await delegations.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(delegationId, StateRow, cancellationToken: cancellationToken);
        return row.HasValue ? await FromEntityAsync(row.Value!, cancellationToken) : null;
    }

    public async Task<string?> FindIdByNumberAsync(string number, CancellationToken cancellationToken = default)
    {
        var client = await numbers.GetAsync(cancellationToken);
        var row = await client.GetEntityIfExistsAsync<TableEntity>(number, NumberRow, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetString("DelegationId") : null;
    }

    public async Task<bool> TryUpdateAsync(DelegationRecord updated, DelegationEvent change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(change);
        var etag = updated.ETag is { } value ? new ETag(value) : throw new ArgumentException("The record must carry the ETag it was read with.", nameof(updated));
        return await TableTransactions.TrySubmitAsync(
            await delegations.GetAsync(cancellationToken),
            [new(TableTransactionActionType.UpdateReplace, await ToEntityAsync(updated, cancellationToken), etag), new(TableTransactionActionType.Add, EventEntity(updated.DelegationId, change))],
            cancellationToken);
    }

    public async Task AppendAsync(string delegationId, DelegationEvent entry, CancellationToken cancellationToken = default)
    {
        var entity = EventEntity(delegationId, entry);
        TableLimits.EnsureEntity(entity);
        await (await delegations.GetAsync(cancellationToken)).AddEntityAsync(entity, cancellationToken);
    }

    public async Task RecordTransmissionSealedAsync(string delegationId, string transmissionId, CancellationToken cancellationToken = default)
    {
        var client = await delegations.GetAsync(cancellationToken);
        await client.UpsertEntityAsync(new TableEntity(delegationId, SealedPrefix + transmissionId), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<bool> WasTransmissionSealedAsync(string delegationId, string transmissionId, CancellationToken cancellationToken = default)
    {
        var client = await delegations.GetAsync(cancellationToken);
        return (await client.GetEntityIfExistsAsync<TableEntity>(delegationId, SealedPrefix + transmissionId, select: ["PartitionKey"], cancellationToken: cancellationToken)).HasValue;
    }

    public async Task<DelegationHistoryPage> HistoryAsync(string delegationId, int limit, string? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var client = await delegations.GetAsync(cancellationToken);
        var from = after is not null && after.StartsWith(EventPrefix, StringComparison.Ordinal) ? after : EventPrefix;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {delegationId} and RowKey gt {from} and RowKey lt {EventsEnd}");
        var events = new List<DelegationEvent>();
        string? last = null;
        await foreach (var row in client.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000), cancellationToken: cancellationToken))
        {
            if (events.Count == limit)
            {
                // One more exists: the page ends at the last row returned.
                return new DelegationHistoryPage(events, last);
            }

            events.Add(new DelegationEvent(row.GetDateTimeOffset("At")!.Value, row.GetString("Kind"), row.GetString("Code"), row.GetString("Actor")));
            last = row.RowKey;
        }

        return new DelegationHistoryPage(events, null);
    }

    private static TableEntity EventEntity(string delegationId, DelegationEvent entry)
    {
        // Ticks sort oldest first; the random tail keeps two events of one tick apart.
        var rowKey = string.Create(CultureInfo.InvariantCulture, $"{EventPrefix}{entry.At.UtcTicks:D19}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        return new TableEntity(delegationId, rowKey)
        {
            ["At"] = entry.At,
            ["Kind"] = entry.Kind,
            ["Code"] = entry.Code,
            ["Actor"] = entry.Actor,
        };
    }

    /// <summary>
    /// The document holds names (delegator's representative, delegate): personal data, so it is
    /// stored only envelope-encrypted (AES-256-GCM, data key wrapped by the data-encryption key),
    /// bound to its delegation id as associated data.
    /// </summary>
    private async Task<TableEntity> ToEntityAsync(DelegationRecord record, CancellationToken cancellationToken) => new(record.DelegationId, StateRow)
    {
        ["Number"] = record.Number,
        ["Status"] = record.Status,
        ["DocumentEnvelope"] = JsonSerializer.Serialize(await envelopes.EncryptAsync(
            System.Text.Encoding.UTF8.GetBytes(record.CanonicalDocument), System.Text.Encoding.UTF8.GetBytes(record.DelegationId), cancellationToken)),
        ["DelegatorIssuer"] = record.DelegatorCertificate.IssuerKeyId,
        ["DelegatorSerial"] = record.DelegatorCertificate.SerialNumber,
        ["DelegateIssuer"] = record.DelegateCertificate?.IssuerKeyId,
        ["DelegateSerial"] = record.DelegateCertificate?.SerialNumber,
        ["CreatedAt"] = record.CreatedAt,
        ["ValidFrom"] = record.ValidFrom,
        ["ValidTo"] = record.ValidTo,
        ["DelegateMyKeyId"] = record.DelegateMyKeyId,
        ["ParentDelegationId"] = record.ParentDelegationId,
    };

    private Task<string> DocumentAsync(string delegationId, string envelope, CancellationToken cancellationToken) =>
        documents.GetOrDecryptAsync(delegationId, envelope, async () => System.Text.Encoding.UTF8.GetString(await envelopes.DecryptAsync(
            JsonSerializer.Deserialize<EncryptedEnvelope>(envelope)!, System.Text.Encoding.UTF8.GetBytes(delegationId), cancellationToken)));

    private async Task<DelegationRecord> FromEntityAsync(TableEntity row, CancellationToken cancellationToken) => new(
        row.PartitionKey,
        row.GetString("Number"),
        row.GetString("Status"),
        await DocumentAsync(row.PartitionKey, row.GetString("DocumentEnvelope"), cancellationToken),
        new CertificateReference(row.GetString("DelegatorIssuer"), row.GetString("DelegatorSerial")),
        row.GetString("DelegateSerial") is { } serial ? new CertificateReference(row.GetString("DelegateIssuer"), serial) : null,
        row.GetDateTimeOffset("CreatedAt")!.Value,
        row.GetDateTimeOffset("ValidFrom")!.Value,
        row.GetDateTimeOffset("ValidTo")!.Value,
        row.GetString("DelegateMyKeyId"),
        row.ETag.ToString(),
        row.GetString("ParentDelegationId"));
}
