using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Security;

public sealed class ServiceClientAuthenticatorTests
{
    private const string MerchantKey = "merchant-key-0123456789abcdef";
    private const string InsurerKey = "insurer-key-0123456789abcdefgh";

    private static ServiceClientAuthenticator Create() => new(
    [
        new ServiceClientRegistration("merchant-1", MerchantKey, ["points.debit"]),
        new ServiceClientRegistration("insurer-1", InsurerKey, ["certificates.status", " points.read "]),
        new ServiceClientRegistration("ops", "ops-key-0123456789abcdefghij", ["admin"]),
    ]);

    [Fact]
    public void Right_key_identifies_its_client_and_roles()
    {
        var client = Create().Authenticate(InsurerKey);

        Assert.NotNull(client);
        Assert.Equal("insurer-1", client.ClientId);
        Assert.True(client.HasRole("points.read"));
        Assert.False(client.HasRole("points.debit"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("merchant-key-0123456789abcdeX")]
    [InlineData("MERCHANT-KEY-0123456789ABCDEF")]
    public void Wrong_or_missing_key_is_unauthenticated(string? key)
    {
        var error = Assert.Throws<ServiceException>(() => Create().Require(key, "points.debit"));

        Assert.Same(ErrorCodes.Unauthenticated, error.Error);
        Assert.Equal(401, error.Error.Status);
    }

    [Fact]
    public void Right_key_without_the_role_is_forbidden()
    {
        var error = Assert.Throws<ServiceException>(() => Create().Require(MerchantKey, "certificates.status"));

        Assert.Same(ErrorCodes.Forbidden, error.Error);
        Assert.Equal(403, error.Error.Status);
    }

    [Fact]
    public void Admin_role_grants_every_role()
    {
        Assert.Equal("ops", Create().Require("ops-key-0123456789abcdefghij", "delegations.verify").ClientId);
    }

    [Fact]
    public void Short_key_in_configuration_fails_at_start_up_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceClientAuthenticator([new ServiceClientRegistration("weak", "short", ["admin"])]));

        Assert.Contains("Clients:weak:ApiKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unresolved_key_vault_reference_is_refused_at_start_up()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceClientAuthenticator(
            [new ServiceClientRegistration("city", "@Microsoft.KeyVault(VaultName=kv-x;SecretName=client-city-api-key)", ["points.credit"])]));

        Assert.Contains("unresolved Key Vault reference", error.Message, StringComparison.Ordinal);
        Assert.Contains("Clients:city:ApiKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_clients_with_one_key_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new ServiceClientAuthenticator(
        [
            new ServiceClientRegistration("a", MerchantKey, ["points.debit"]),
            new ServiceClientRegistration("b", MerchantKey, ["admin"]),
        ]));
    }
}
