using System.Security.Cryptography;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.MyKey;

namespace ServerlessMyKey.Core.Auth;

/// <summary>
/// MyKey IDs (マイキーID): 8 alphanumeric characters (<see cref="MyKeyIdFormat"/>) drawn from <see cref="Alphabet"/>, created on a certificate's first login and
/// returned again on later logins with it. A certificate is identified by a hash of its issuer's
/// key identifier and its serial number, so no raw certificate is kept.
/// </summary>
public sealed class MyKeyIds(IMyKeyIdStore store)
{
    /// <summary>Upper-case letters and digits without the look-alikes 0/O and 1/I (32 symbols).</summary>
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private const int MaxAttempts = 8;

    /// <summary>The binding key of a certificate: SHA-256 over issuer key id and serial, hex.</summary>
    public static string CertificateBinding(ReadOnlySpan<byte> issuerKeyId, ReadOnlySpan<byte> serialNumber)
    {
        var input = new byte[issuerKeyId.Length + 1 + serialNumber.Length];
        issuerKeyId.CopyTo(input);
        serialNumber.CopyTo(input.AsSpan(issuerKeyId.Length + 1));
        return Convert.ToHexStringLower(SHA256.HashData(input));
    }

    /// <summary>The certificate's MyKey ID, or null when it never logged in.</summary>
    public Task<string?> FindAsync(string certificateBinding, CancellationToken cancellationToken = default) =>
        store.FindAsync(certificateBinding, cancellationToken);

    /// <summary>The certificate's MyKey ID, created (unique, insert-if-absent) on its first login.</summary>
    public async Task<string> GetOrCreateAsync(string certificateBinding, CancellationToken cancellationToken = default)
    {
        if (await store.FindAsync(certificateBinding, cancellationToken) is { } existing)
        {
            return existing;
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var candidate = NewId();
            if (!await store.TryReserveAsync(candidate, certificateBinding, cancellationToken))
            {
                continue; // taken by someone else: draw again
            }

            var bound = await store.BindAsync(certificateBinding, candidate, cancellationToken);
            if (bound != candidate)
            {
                // A concurrent first login of the same certificate won; give our reservation back.
                await store.ReleaseAsync(candidate, cancellationToken);
            }

            return bound;
        }

        throw new ServiceException(ErrorCodes.Conflict, "Could not allocate a MyKey ID; retry.");
    }

    /// <summary>
    /// Re-binding after renewal (the caller has proved the same person, docs/auth.md "Relink"): the new
    /// certificate takes the MyKey ID and the certificate that held it loses it, so that one binding
    /// stays. Fails with <c>conflict</c> when the new certificate already has an ID of its own.
    /// </summary>
    public async Task RelinkAsync(string myKeyId, string newCertificateBinding, CancellationToken cancellationToken = default)
    {
        var bound = await store.BindAsync(newCertificateBinding, myKeyId, cancellationToken);
        if (bound != myKeyId)
        {
            throw new ServiceException(ErrorCodes.Conflict, "The new certificate is already linked to another MyKey ID.");
        }

        var previous = await store.GetCurrentCertificateAsync(myKeyId, cancellationToken);
        await store.SetCurrentCertificateAsync(myKeyId, newCertificateBinding, cancellationToken);
        if (previous is not null && previous != newCertificateBinding)
        {
            await store.UnbindAsync(previous, myKeyId, cancellationToken);
        }
    }

    /// <summary>
    /// Records the cardholder identity hash of <paramref name="myKeyId"/> if it has none; <c>identity_mismatch</c>
    /// when another one is on record (a login must not attach someone else's signing certificate).
    /// </summary>
    public async Task RecordIdentityAsync(string myKeyId, string identityHash, CancellationToken cancellationToken = default)
    {
        var stored = await store.SetIdentityIfAbsentAsync(myKeyId, identityHash, cancellationToken);
        if (!CardholderIdentities.AreSame(stored, identityHash))
        {
            throw new ServiceException(ErrorCodes.IdentityMismatch);
        }
    }

    /// <summary>The identity on record must be <paramref name="identityHash"/>: <c>identity_not_registered</c> or <c>identity_mismatch</c> otherwise.</summary>
    public async Task RequireIdentityAsync(string myKeyId, string identityHash, CancellationToken cancellationToken = default)
    {
        var stored = await store.GetIdentityAsync(myKeyId, cancellationToken) ?? throw new ServiceException(ErrorCodes.IdentityNotRegistered);
        if (!CardholderIdentities.AreSame(stored, identityHash))
        {
            throw new ServiceException(ErrorCodes.IdentityMismatch);
        }
    }

    private static string NewId() => RandomNumberGenerator.GetString(Alphabet, MyKeyIdFormat.Length);
}

/// <summary>Where MyKey IDs and certificate bindings live.</summary>
public interface IMyKeyIdStore
{
    /// <summary>The MyKey ID bound to a certificate, or <c>null</c>.</summary>
    Task<string?> FindAsync(string certificateBinding, CancellationToken cancellationToken = default);

    /// <summary>Creates the ID's row if the ID is free (insert-if-absent); <c>false</c> when taken.</summary>
    Task<bool> TryReserveAsync(string myKeyId, string certificateBinding, CancellationToken cancellationToken = default);

    /// <summary>Binds a certificate to an ID if it has none (insert-if-absent); returns the ID it is bound to.</summary>
    Task<string> BindAsync(string certificateBinding, string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a reservation that lost a race (only if no certificate is bound to it).</summary>
    Task ReleaseAsync(string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>Records which certificate currently holds the ID (after a renewal).</summary>
    Task SetCurrentCertificateAsync(string myKeyId, string certificateBinding, CancellationToken cancellationToken = default);

    /// <summary>The certificate that currently holds the ID, or <c>null</c>.</summary>
    Task<string?> GetCurrentCertificateAsync(string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>Removes a certificate's binding if it is to <paramref name="myKeyId"/>.</summary>
    Task UnbindAsync(string certificateBinding, string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>The cardholder identity hash of the ID, or <c>null</c>.</summary>
    Task<string?> GetIdentityAsync(string myKeyId, CancellationToken cancellationToken = default);

    /// <summary>Sets the identity hash if the ID has none (ETag-conditional); returns the hash on record.</summary>
    Task<string> SetIdentityIfAbsentAsync(string myKeyId, string identityHash, CancellationToken cancellationToken = default);

    /// <summary>Where the HMAC key of <see cref="CardholderIdentities"/> is kept, wrapped.</summary>
    Keys.IKeyedHashKeyRow IdentityKey { get; }
}
