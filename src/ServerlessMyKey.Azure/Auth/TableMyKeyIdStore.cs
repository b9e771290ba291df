using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Auth;

/// <summary>
/// MyKey IDs in Table Storage. Two kinds of rows, each alone in its partition:
/// <c>id:&lt;MyKeyId&gt;</c> (the ID, reserved insert-if-absent, with the current certificate) and
/// <c>cert:&lt;binding hash&gt;</c> (a certificate's ID, bound insert-if-absent). Uniqueness of
/// both comes from 409 on insert, never from a read-then-write. The <c>id:</c> row also keeps the
/// cardholder identity hash (<c>Identity</c>), and <c>key:cardholder-identity</c> the wrapped HMAC key.
/// </summary>
public sealed class TableMyKeyIdStore(TableServiceClient service) : IMyKeyIdStore
{
    public const string TableName = "MyKeyIds";
    private const string RowKey = "row";

    private readonly LazyTable _table = new(service, TableName);

    public IKeyedHashKeyRow IdentityKey => new TableKeyedHashKeyRow(_table, IdentityKeyPartition, RowKey);

    public async Task<string?> FindAsync(string certificateBinding, CancellationToken cancellationToken = default)
    {
        var found = await TableRows.FindAsync(await _table.GetAsync(cancellationToken), CertificateKey(certificateBinding), RowKey, cancellationToken);
        return found?.GetString("MyKeyId");
    }

    public async Task<bool> TryReserveAsync(string myKeyId, string certificateBinding, CancellationToken cancellationToken = default)
    {
        return await TableRows.TryAddAsync(
            await _table.GetAsync(cancellationToken), new TableEntity(IdKey(myKeyId), RowKey) { ["CurrentCertificate"] = certificateBinding, ["Bound"] = false }, cancellationToken);
    }

    public async Task<string> BindAsync(string certificateBinding, string myKeyId, CancellationToken cancellationToken = default)
    {
        var table = await _table.GetAsync(cancellationToken);
        if (!await TableRows.TryAddAsync(table, new TableEntity(CertificateKey(certificateBinding), RowKey) { ["MyKeyId"] = myKeyId }, cancellationToken))
        {
            return (await FindAsync(certificateBinding, cancellationToken))!;
        }

        await table.UpdateEntityAsync(new TableEntity(IdKey(myKeyId), RowKey) { ["Bound"] = true }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        return myKeyId;
    }

    public async Task ReleaseAsync(string myKeyId, CancellationToken cancellationToken = default)
    {
        var table = await _table.GetAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(IdKey(myKeyId), RowKey, cancellationToken: cancellationToken);
        if (found.HasValue && found.Value!.GetBoolean("Bound") != true)
        {
            try
            {
                await table.DeleteEntityAsync(IdKey(myKeyId), RowKey, found.Value.ETag, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Gone or bound meanwhile: nothing to give back.
            }
        }
    }

    public async Task SetCurrentCertificateAsync(string myKeyId, string certificateBinding, CancellationToken cancellationToken = default)
    {
        var table = await _table.GetAsync(cancellationToken);
        await table.UpdateEntityAsync(new TableEntity(IdKey(myKeyId), RowKey) { ["CurrentCertificate"] = certificateBinding }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    public async Task<string?> GetCurrentCertificateAsync(string myKeyId, CancellationToken cancellationToken = default) =>
        (await FindIdAsync(myKeyId, cancellationToken))?.GetString("CurrentCertificate");

    public async Task UnbindAsync(string certificateBinding, string myKeyId, CancellationToken cancellationToken = default)
    {
        var table = await _table.GetAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(CertificateKey(certificateBinding), RowKey, cancellationToken: cancellationToken);
        if (found.HasValue && found.Value!.GetString("MyKeyId") == myKeyId)
        {
            try
            {
                await table.DeleteEntityAsync(CertificateKey(certificateBinding), RowKey, found.Value.ETag, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Removed meanwhile.
            }
        }
    }

    public async Task<string?> GetIdentityAsync(string myKeyId, CancellationToken cancellationToken = default) =>
        (await FindIdAsync(myKeyId, cancellationToken))?.GetString("Identity");

    public async Task<string> SetIdentityIfAbsentAsync(string myKeyId, string identityHash, CancellationToken cancellationToken = default)
    {
        var table = await _table.GetAsync(cancellationToken);
        while (true)
        {
            var row = await FindIdAsync(myKeyId, cancellationToken) ?? throw new InvalidOperationException("The MyKey ID has no row.");
            if (row.GetString("Identity") is { } stored)
            {
                return stored;
            }

            try
            {
                await table.UpdateEntityAsync(new TableEntity(IdKey(myKeyId), RowKey) { ["Identity"] = identityHash }, row.ETag, TableUpdateMode.Merge, cancellationToken);
                return identityHash;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed meanwhile: read again.
            }
        }
    }

    private async Task<TableEntity?> FindIdAsync(string myKeyId, CancellationToken cancellationToken) =>
        await TableRows.FindAsync(await _table.GetAsync(cancellationToken), IdKey(myKeyId), RowKey, cancellationToken);

    /// <summary>The wrapped key of the cardholder identity HMAC (one row, its own partition).</summary>
    private const string IdentityKeyPartition = "key:cardholder-identity";

    private static string IdKey(string myKeyId) => "id:" + myKeyId;

    private static string CertificateKey(string binding) => "cert:" + binding;
}
