using Azure.Data.Tables;
using ServerlessMyKey.Azure.Operations;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Oidc;

namespace ServerlessMyKey.Azure.Oidc;

/// <summary>
/// The provider's short-lived rows in one table, one partition per row (PartitionKey =
/// <c>&lt;kind&gt;:&lt;id&gt;</c>), so writes spread evenly: authorization requests, codes (by hash),
/// grants and client-assertion <c>jti</c>s. Single use is enforced by ETag-conditional updates and
/// insert-only writes; every row carries <c>ExpiresAt</c> for the cleanup timer. Strings are bounded
/// before they get here (state ≤ 512, nonce ≤ 256, sealed claims a few KB), far below 64 KiB.
/// </summary>
internal sealed class TableOidcStore(LazyTable table) : IOidcStore
{
    private const string RowKey = "";

    public async Task CreateRequestAsync(AuthorizationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = await table.GetAsync(cancellationToken);
        await client.AddEntityAsync(
            new TableEntity(Key("request", request.RequestId), RowKey)
            {
                ["ClientId"] = request.ClientId,
                ["RedirectUri"] = request.RedirectUri,
                ["Scopes"] = string.Join(' ', request.Scopes),
                ["State"] = request.State,
                ["Nonce"] = request.Nonce,
                ["CodeChallenge"] = request.CodeChallenge,
                ["ChallengeId"] = request.ChallengeId,
                ["Challenge"] = request.Challenge,
                ["ExpiresAt"] = request.ExpiresAt,
                ["Completed"] = false,
            },
            cancellationToken);
    }

    public async Task<(AuthorizationRequest Request, bool Completed)?> FindRequestAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var found = await client.GetEntityIfExistsAsync<TableEntity>(Key("request", requestId), RowKey, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value is not { } e)
        {
            return null;
        }

        var request = new AuthorizationRequest(
            requestId, e.GetString("ClientId"), e.GetString("RedirectUri"), Scopes(e), e.GetString("State"), e.GetString("Nonce"),
            e.GetString("CodeChallenge"), e.GetString("ChallengeId"), e.GetBinary("Challenge"), e.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue);
        return (request, e.GetBoolean("Completed") == true);
    }

    public async Task<bool> CompleteRequestAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var found = await client.GetEntityIfExistsAsync<TableEntity>(Key("request", requestId), RowKey, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value is not { } entity || entity.GetBoolean("Completed") == true)
        {
            return false;
        }

        entity["Completed"] = true;
        return await TableRows.TryReplaceAsync(client, entity, cancellationToken);
    }

    public async Task CreateCodeAsync(AuthorizationCode code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        var client = await table.GetAsync(cancellationToken);
        await client.AddEntityAsync(
            new TableEntity(Key("code", code.CodeHash), RowKey)
            {
                ["ClientId"] = code.ClientId,
                ["RedirectUri"] = code.RedirectUri,
                ["CodeChallenge"] = code.CodeChallenge,
                ["Nonce"] = code.Nonce,
                ["Scopes"] = string.Join(' ', code.Scopes),
                ["Subject"] = code.Subject,
                ["AuthTime"] = code.AuthTime,
                ["Claims"] = code.Claims,
                ["ExpiresAt"] = code.ExpiresAt,
                ["Redeemed"] = false,
            },
            cancellationToken);
    }

    public async Task<CodeRedemption> RedeemCodeAsync(string codeHash, string grantId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var found = await client.GetEntityIfExistsAsync<TableEntity>(Key("code", codeHash), RowKey, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value is not { } entity)
        {
            return new CodeRedemption(CodeRedemptionOutcome.NotFound);
        }

        if (entity.GetBoolean("Redeemed") == true)
        {
            return new CodeRedemption(CodeRedemptionOutcome.AlreadyRedeemed, PreviousGrantId: entity.GetString("GrantId"));
        }

        var expiresAt = entity.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue;
        if (expiresAt <= now)
        {
            return new CodeRedemption(CodeRedemptionOutcome.Expired);
        }

        var claims = entity.GetString("Claims");
        entity["Redeemed"] = true;
        entity["GrantId"] = grantId;
        entity["Claims"] = null; // the grant carries them on; the spent code keeps no personal data
        if (!await TableRows.TryReplaceAsync(client, entity, cancellationToken))
        {
            // Another redemption won: report its grant so that the replay can revoke it.
            var winner = await TableRows.FindAsync(client, Key("code", codeHash), RowKey, cancellationToken);
            return new CodeRedemption(CodeRedemptionOutcome.AlreadyRedeemed, PreviousGrantId: winner?.GetString("GrantId"));
        }

        return new CodeRedemption(
            CodeRedemptionOutcome.Redeemed,
            new AuthorizationCode(
                codeHash, entity.GetString("ClientId"), entity.GetString("RedirectUri"), entity.GetString("CodeChallenge"), entity.GetString("Nonce"),
                Scopes(entity), entity.GetString("Subject"), entity.GetDateTimeOffset("AuthTime") ?? now, claims, expiresAt));
    }

    public async Task<bool> TryCreateGrantAsync(OidcGrant grant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return await TableRows.TryAddAsync(
            await table.GetAsync(cancellationToken),
            new TableEntity(Key("grant", grant.GrantId), RowKey)
            {
                ["ClientId"] = grant.ClientId,
                ["Subject"] = grant.Subject,
                ["Scopes"] = string.Join(' ', grant.Scopes),
                ["Claims"] = grant.Claims,
                ["ExpiresAt"] = grant.ExpiresAt,
                ["Revoked"] = false,
            },
            cancellationToken);
    }

    public async Task<OidcGrant?> FindGrantAsync(string grantId, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);
        var found = await client.GetEntityIfExistsAsync<TableEntity>(Key("grant", grantId), RowKey, cancellationToken: cancellationToken);
        return found.HasValue && found.Value is { } e && e.GetBoolean("Revoked") != true
            ? new OidcGrant(grantId, e.GetString("ClientId"), e.GetString("Subject"), Scopes(e), e.GetString("Claims"), e.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue)
            : null;
    }

    public async Task RevokeGrantAsync(string grantId, DateTimeOffset keepUntil, CancellationToken cancellationToken = default)
    {
        var client = await table.GetAsync(cancellationToken);

        // Replace, not merge: the tombstone drops the sealed claims too.
        await client.UpsertEntityAsync(
            new TableEntity(Key("grant", grantId), RowKey) { ["Revoked"] = true, ["ExpiresAt"] = keepUntil },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<bool> TryRecordAssertionAsync(string clientId, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        // jti may hold any character: the key is its hash, scoped to the client.
        return await TableRows.TryAddAsync(
            await table.GetAsync(cancellationToken), new TableEntity(Key("jti", OidcLogin.CodeHash(clientId + "\n" + jti)), RowKey) { ["ExpiresAt"] = expiresAt }, cancellationToken);
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken = default) =>
        await BoundedTableDeletes.DeleteAsync(await table.GetAsync(cancellationToken), TableClient.CreateQueryFilter($"ExpiresAt lt {expiredBefore}"), int.MaxValue, cancellationToken);

    private static string Key(string kind, string id) => kind + ":" + id;

    private static string[] Scopes(TableEntity entity) => (entity.GetString("Scopes") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
