using Azure.Data.Tables;
using ServerlessMyKey.Azure.Oidc;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Oidc;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Oidc;

/// <summary>The provider's single-use rows on real Azurite: the races the conditional writes exist for.</summary>
public sealed class OidcStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);

    private TableOidcStore Store() => new(new LazyTable(new TableServiceClient(azurite.ConnectionString), "OidcStateTests"));

    private static AuthorizationCode Code(string hash) =>
        new(hash, "bank", "https://bank.test/cb", new string('c', 43), "n", ["openid"], "sub-1", Now, "sealed", Now.AddMinutes(1));

    [Fact]
    public async Task Twenty_concurrent_redemptions_of_one_code_have_one_winner_and_the_rest_learn_its_grant()
    {
        var store = Store();
        var hash = OidcLogin.CodeHash(Guid.NewGuid().ToString("N"));
        await store.CreateCodeAsync(Code(hash));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => store.RedeemCodeAsync(hash, "grant-" + i, Now)));

        var winner = Assert.Single(results, r => r.Outcome == CodeRedemptionOutcome.Redeemed);
        Assert.Equal("sealed", winner.Code!.Claims);
        var winnerGrant = "grant-" + Array.IndexOf(results, winner);
        Assert.All(results.Where(r => r != winner), r =>
        {
            Assert.Equal(CodeRedemptionOutcome.AlreadyRedeemed, r.Outcome);
            Assert.Equal(winnerGrant, r.PreviousGrantId);
        });
    }

    [Fact]
    public async Task An_expired_code_is_not_redeemed()
    {
        var store = Store();
        var hash = OidcLogin.CodeHash(Guid.NewGuid().ToString("N"));
        await store.CreateCodeAsync(Code(hash));

        Assert.Equal(CodeRedemptionOutcome.Expired, (await store.RedeemCodeAsync(hash, "g", Now.AddMinutes(1))).Outcome);
    }

    [Fact]
    public async Task A_revoked_grant_cannot_be_written_afterwards_and_is_not_found()
    {
        var store = Store();
        var grant = new OidcGrant("grant-" + Guid.NewGuid().ToString("N"), "bank", "sub-1", ["openid"], null, Now.AddMinutes(10));

        await store.RevokeGrantAsync(grant.GrantId, Now.AddMinutes(10));

        Assert.False(await store.TryCreateGrantAsync(grant));
        Assert.Null(await store.FindGrantAsync(grant.GrantId));
    }

    [Fact]
    public async Task A_client_assertion_jti_is_accepted_once_per_client()
    {
        var store = Store();
        var jti = Guid.NewGuid().ToString("N");

        Assert.True(await store.TryRecordAssertionAsync("bank", jti, Now.AddMinutes(2)));
        Assert.False(await store.TryRecordAssertionAsync("bank", jti, Now.AddMinutes(2)));
        Assert.True(await store.TryRecordAssertionAsync("other-bank", jti, Now.AddMinutes(2)));
    }
}
