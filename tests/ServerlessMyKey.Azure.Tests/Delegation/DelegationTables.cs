using Azure.Data.Tables;
using ServerlessMyKey.Azure.Delegation;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Delegation;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Tests.Delegation;

/// <summary>The delegation tables of one test, on real Azurite, under a table-name prefix of their own.</summary>
internal sealed class DelegationTables(string connectionString, IKeyService keys)
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8];
    private readonly TableServiceClient _tables = new(connectionString);

    public TableDelegationStore Store(DelegationDocumentCache? cache = null) => new(
        new LazyTable(_tables, _prefix + "Delegations"), new LazyTable(_tables, _prefix + "DelegationNumbers"), new EnvelopeEncryption(keys), cache ?? new DelegationDocumentCache());

    public TableDelegatorNotificationOutbox Outbox() => new(new LazyTable(_tables, _prefix + "DelegatorNotifications"));

    /// <summary>A new pending delegation, read back (with its ETag).</summary>
    public static async Task<DelegationRecord> PendingAsync(IDelegationStore store, DateTimeOffset now)
    {
        var id = Guid.NewGuid().ToString("N");
        var record = new DelegationRecord(id, DelegationNumber.For(id), DelegationStatus.Pending, """{"delegate":{"name":"山田　花子"}}""",
            new CertificateReference("ab", "01"), null, now, now.AddDays(-1), now.AddYears(1), "AB34CD56");
        Assert.True(await store.TryCreateAsync(record, new DelegationEvent(now, "created", Actor: "delegator")));
        return (await store.FindAsync(id))!;
    }
}
