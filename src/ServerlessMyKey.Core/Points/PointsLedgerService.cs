using System.Collections.Concurrent;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.MyKey;
using ServerlessMyKey.Core.Security;
using static ServerlessMyKey.Core.Validation.RequestFields;

namespace ServerlessMyKey.Core.Points;

/// <summary>
/// The MyKey points (自治体ポイント) application service: merchants, credits, assignments, debits,
/// the default municipality, statements, and the timers' due work. Each write is one atomic,
/// conditional write of one account, retried on a concurrent change; value-moving writes are
/// idempotent by key.
/// </summary>
public sealed class PointsLedgerService(
    IPointsLedgerStore ledger,
    IPointsDueIndex dueIndex,
    IMerchantStore merchants,
    IIdempotencyClaims claims,
    PointsRules rules,
    TimeProvider time)
{
    public const int DefaultStatementLimit = 50;
    public const int MaxStatementLimit = 200;

    // Merchants never change once registered, so a found merchant can be kept for the process's life.
    private readonly ConcurrentDictionary<string, Merchant> _merchantCache = new(StringComparer.Ordinal);

    public async Task<StoredResponse> RegisterMerchantAsync(MerchantRegistration registration, string? idempotencyKey, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(caller);
        var merchant = new Merchant(
            RequireId(registration.MerchantId, "merchantId"),
            RequireText(registration.Name, "name", 200),
            rules.RequireMunicipality(registration.MunicipalityCode),
            registration.ClientId is null ? registration.MerchantId : RequireId(registration.ClientId, "clientId"));
        var idempotency = await claims.ClaimIfKeyedAsync("points.merchants", caller.ClientId, idempotencyKey, registration, cancellationToken);
        var response = new StoredResponse(201, idempotency?.RequestHash ?? string.Empty, ApiJsonOptions.Serialize(merchant));

        return await OptimisticRetry.RunIdempotentAsync(idempotency, merchants.FindResponseAsync, async ct =>
        {
            if (await merchants.FindAsync(merchant.MerchantId, ct) is { } existing)
            {
                return existing == merchant
                    ? response
                    : throw new ServiceException(ErrorCodes.AlreadyExists, "A merchant with this id is registered with other values.");
            }

            return await merchants.TryAddAsync(merchant, idempotency is null ? null : new IdempotentWrite(idempotency.KeyHash, response), ct) ? response : null;
        }, cancellationToken);
    }

    /// <summary>A partner conversion into holding, or a municipal grant straight into the municipality.</summary>
    public async Task<StoredResponse> CreditAsync(string myKeyId, CreditRequest request, string? idempotencyKey, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        MyKeyIdFormat.Require(myKeyId);
        ArgumentNullException.ThrowIfNull(caller);
        if (request?.Source is null)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "source is required.");
        }

        var source = new PointsSource(request.Source.Kind, RequireId(request.Source.Id, "source.id"));
        RequirePositive(request.Amount);
        Func<PointsAccount, DateTimeOffset, PointsChange> credit;
        if (source.Kind == PointsSource.Partner)
        {
            credit = (account, now) => account.ConvertPartnerPoints(request.Amount, source, now, rules.HoldingPeriod);
        }
        else if (source.Kind == PointsSource.Municipality)
        {
            var code = rules.RequireMunicipality(request.MunicipalityCode);
            rules.RequireGrantor(code, caller);
            credit = (account, now) => account.Grant(code, request.Amount, source, now, rules.ExpiryRuleOf(code).ExpiresAt(now));
        }
        else
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "source.kind must be 'partner' or 'municipality'.");
        }

        var idempotency = await claims.ClaimAsync("points.credits", caller.ClientId, RequireKey(idempotencyKey), new { myKeyId, request }, cancellationToken);
        return await MoveAsync(myKeyId, idempotency, credit, cancellationToken);
    }

    /// <summary>The citizen moves holding points to a municipality.</summary>
    public async Task<StoredResponse> AssignAsync(string myKeyId, AssignmentRequest request, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        MyKeyIdFormat.Require(myKeyId);
        ArgumentNullException.ThrowIfNull(request);
        var code = rules.RequireMunicipality(request.MunicipalityCode);
        RequirePositive(request.Amount);
        var idempotency = await claims.ClaimAsync("points.assignments", myKeyId, RequireKey(idempotencyKey), new { myKeyId, request }, cancellationToken);
        return await MoveAsync(myKeyId, idempotency, (account, now) => account.Assign(code, request.Amount, now, rules.ExpiryRuleOf(code).ExpiresAt(now)), cancellationToken);
    }

    /// <summary>A merchant takes points of its municipality; the caller must be the merchant's client (or admin).</summary>
    public async Task<StoredResponse> DebitAsync(string myKeyId, DebitRequest request, string? idempotencyKey, ServiceClient caller, CancellationToken cancellationToken = default)
    {
        MyKeyIdFormat.Require(myKeyId);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        RequirePositive(request.Amount);
        var merchant = await FindMerchantAsync(RequireId(request.MerchantId, "merchantId"), cancellationToken)
            ?? throw new ServiceException(ErrorCodes.NotFound, "No merchant with this id is registered.");
        if (caller.ClientId != merchant.ClientId && !caller.HasRole(ServiceRoles.Admin))
        {
            throw new ServiceException(ErrorCodes.Forbidden, "This API key does not belong to the merchant.");
        }

        var idempotency = await claims.ClaimAsync("points.debits", caller.ClientId, RequireKey(idempotencyKey), new { myKeyId, request }, cancellationToken);
        return await MoveAsync(myKeyId, idempotency, (account, now) => account.Debit(merchant.MunicipalityCode, request.Amount, merchant.MerchantId, now), cancellationToken);
    }

    /// <summary>Sets the default municipality; holding points already past their deadline go there at once.</summary>
    public Task<StoredResponse> SetDefaultMunicipalityAsync(string myKeyId, DefaultMunicipalityRequest request, CancellationToken cancellationToken = default)
    {
        MyKeyIdFormat.Require(myKeyId);
        ArgumentNullException.ThrowIfNull(request);
        var code = rules.RequireMunicipality(request.MunicipalityCode);
        return WriteAsync(myKeyId, null, (account, now) =>
        {
            var change = new PointsChange(account, account.WithDefaultMunicipality(code), []).Then(a => a.AssignOverdueToDefault(now, ExpiresAtIn(now)));
            return (change, new DefaultMunicipalityResponse(myKeyId, code, PointsBalance.Of(change.After, now)), 200);
        }, cancellationToken);
    }

    public async Task<PointsStatement> GetStatementAsync(string myKeyId, string? continuationToken, int? limit, CancellationToken cancellationToken = default)
    {
        MyKeyIdFormat.Require(myKeyId);
        var pageSize = limit ?? DefaultStatementLimit;
        if (pageSize is < 1 or > MaxStatementLimit)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, $"limit must be 1–{MaxStatementLimit}.");
        }

        long? before = continuationToken is null ? null : StatementCursor.Decode(continuationToken);
        var snapshot = await ledger.ReadAsync(myKeyId, cancellationToken: cancellationToken);
        var page = await ledger.ReadEntriesAsync(myKeyId, before, pageSize, cancellationToken);
        var now = time.GetUtcNow();
        return new PointsStatement(
            myKeyId,
            snapshot.Account.DefaultMunicipalityCode,
            PointsBalance.Of(snapshot.Account, now),
            [.. page.Entries.Select(e => PointsEntryView.Of(myKeyId, e))],
            page.HasMore && page.Entries.Count > 0 ? StatementCursor.Encode(page.Entries[^1].Sequence) : null);
    }

    /// <summary>
    /// The timers' work: settles accounts with due auto-assignments or expiries, at most
    /// <paramref name="maxAccounts"/> per run. Settling reads the account as it is, so running twice
    /// (or after the citizen acted) does nothing more.
    /// </summary>
    public async Task<DueWorkReport> RunDueWorkAsync(PointsDueKind kind, int maxAccounts, CancellationToken cancellationToken = default)
    {
        var items = await dueIndex.ListDueAsync(kind, time.GetUtcNow(), maxAccounts, cancellationToken);
        int settled = 0, skipped = 0;
        foreach (var item in items)
        {
            try
            {
                await WriteAsync(item.MyKeyId, null, (account, now) =>
                {
                    var change = kind == PointsDueKind.Expiry ? account.ExpireDue(now) : account.AssignOverdueToDefault(now, ExpiresAtIn(now));
                    return (change, new { change.Entries.Length }, 200);
                }, cancellationToken);
                settled++;
            }
            catch (ServiceException ex) when (ex.Error == ErrorCodes.UnknownMunicipality)
            {
                // The default municipality left the scheme: the points stay in holding for the citizen to assign.
                skipped++;
            }

            await dueIndex.RemoveAsync(item, cancellationToken);
        }

        return new DueWorkReport(items.Count, settled, skipped);
    }

    private Func<string, DateTimeOffset?> ExpiresAtIn(DateTimeOffset now) => code => rules.ExpiryRuleOf(code).ExpiresAt(now);

    private async Task<Merchant?> FindMerchantAsync(string merchantId, CancellationToken cancellationToken)
    {
        if (_merchantCache.TryGetValue(merchantId, out var cached))
        {
            return cached;
        }

        var merchant = await merchants.FindAsync(merchantId, cancellationToken);
        return merchant is null ? null : _merchantCache.GetOrAdd(merchantId, merchant);
    }

    private Task<StoredResponse> MoveAsync(string myKeyId, IdempotentRequest idempotency, Func<PointsAccount, DateTimeOffset, PointsChange> decide, CancellationToken cancellationToken) =>
        WriteAsync(myKeyId, idempotency, (account, now) =>
        {
            var change = decide(account, now);
            return (change, new PointsMovementResponse(PointsEntry.IdOf(myKeyId, change.Entries[^1].Sequence), PointsBalance.Of(change.After, now)), 201);
        }, cancellationToken);

    /// <summary>
    /// Read, decide, and write the change conditionally; again on a concurrent change. A stored response under the key
    /// is replayed instead. The first attempt under a key's first claim does not look for one (nothing can have been
    /// written under a key nobody claimed before); should one exist all the same, the commit's insert of the
    /// response row fails and the next attempt finds it.
    /// </summary>
    private Task<StoredResponse> WriteAsync(
        string myKeyId,
        IdempotentRequest? idempotency,
        Func<PointsAccount, DateTimeOffset, (PointsChange Change, object Response, int Status)> decide,
        CancellationToken cancellationToken)
    {
        var lookForStored = idempotency is { IsFirstClaim: false };
        return OptimisticRetry.RunAsync<StoredResponse>(async ct =>
        {
            var snapshot = await ledger.ReadAsync(myKeyId, lookForStored ? idempotency?.KeyHash : null, ct);
            lookForStored = idempotency is not null;
            if (idempotency is not null && snapshot.StoredResponse is { } stored)
            {
                return stored.ReplayFor(idempotency);
            }

            var (change, result, status) = decide(snapshot.Account, time.GetUtcNow());
            var response = new StoredResponse(status, idempotency?.RequestHash ?? string.Empty, ApiJsonOptions.Serialize(result));
            if (change.IsEmpty)
            {
                return response;
            }

            // The index is written first: if the ledger write then fails, a timer finds nothing to do.
            var due = change.NewDueItems().ToList();
            if (due.Count > 0)
            {
                await dueIndex.AddAsync(due, ct);
            }

            var write = idempotency is null ? null : new IdempotentWrite(idempotency.KeyHash, response);
            return await ledger.TryCommitAsync(snapshot, change, write, ct) ? response : null;
        }, cancellationToken);
    }

    private static string RequireKey(string? idempotencyKey) =>
        idempotencyKey ?? throw new ServiceException(ErrorCodes.InvalidRequest, $"The {IdempotentRequest.HeaderName} header is required on this operation.");
}

/// <summary>What one timer run did: items read from the due index, accounts settled, items skipped.</summary>
public sealed record DueWorkReport(int Due, int Settled, int Skipped);
