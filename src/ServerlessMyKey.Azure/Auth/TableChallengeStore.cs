using Azure.Data.Tables;
using ServerlessMyKey.Azure.Operations;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Auth;

namespace ServerlessMyKey.Azure.Auth;

/// <summary>
/// Login challenges in Table Storage, one partition per challenge (PartitionKey = challenge id), so
/// writes spread evenly. The RowKey is the challenge id as well: Azurite (the DevHost's and the tests'
/// storage) looks a row up through its RowKey index first, so a RowKey shared by every challenge made
/// each insert, read and update scan all challenges in the table (bench/README.md, "HTTP load").
/// Consumption is an ETag-conditional update: of two concurrent submissions one gets 412 and is told
/// the challenge was already used.
/// </summary>
public sealed class TableChallengeStore(TableServiceClient service) : IChallengeStore
{
    public const string TableName = "AuthChallenges";

    private readonly LazyTable _table = new(service, TableName);

    public async Task CreateAsync(LoginChallenge challenge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var table = await _table.GetAsync(cancellationToken);
        await table.AddEntityAsync(
            new TableEntity(challenge.Id, challenge.Id)
            {
                ["Value"] = challenge.Value,
                ["Audience"] = challenge.Audience,
                ["Purpose"] = challenge.Purpose,
                ["ClientId"] = challenge.ClientId,
                ["ExpiresAt"] = challenge.ExpiresAt,
                ["Used"] = false,
            },
            cancellationToken);
    }

    public async Task<ChallengeConsumption> ConsumeAsync(string challengeId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var table = await _table.GetAsync(cancellationToken);
        if (await TableRows.FindAsync(table, challengeId, challengeId, cancellationToken) is not { } entity)
        {
            return new ChallengeConsumption(ChallengeOutcome.NotFound);
        }

        if (entity.GetBoolean("Used") == true)
        {
            return new ChallengeConsumption(ChallengeOutcome.AlreadyUsed);
        }

        var expiresAt = entity.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue;
        if (expiresAt <= now)
        {
            return new ChallengeConsumption(ChallengeOutcome.Expired);
        }

        entity["Used"] = true;
        entity["UsedAt"] = now;
        if (!await TableRows.TryReplaceAsync(table, entity, cancellationToken))
        {
            return new ChallengeConsumption(ChallengeOutcome.AlreadyUsed);
        }

        return new ChallengeConsumption(
            ChallengeOutcome.Consumed,
            new LoginChallenge(challengeId, entity.GetBinary("Value"), entity.GetString("Audience"), expiresAt, entity.GetString("Purpose") ?? ChallengeUse.LoginPurpose, entity.GetString("ClientId")));
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset expiredBefore, int maxRows, CancellationToken cancellationToken = default) =>
        await BoundedTableDeletes.DeleteAsync(await _table.GetAsync(cancellationToken), TableClient.CreateQueryFilter($"ExpiresAt lt {expiredBefore}"), maxRows, cancellationToken);
}
