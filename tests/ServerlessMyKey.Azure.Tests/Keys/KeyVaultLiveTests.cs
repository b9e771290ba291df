using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Tests.Keys;

/// <summary>
/// Against a real vault, only when <c>KeyVault__Uri</c> is set (with a signed-in identity that has
/// "Key Vault Crypto User" and the keys <c>token-signing</c> / <c>data-encryption</c>, or
/// <c>KeyVault__Keys__*</c> mappings); skipped otherwise.
/// </summary>
public sealed class KeyVaultLiveTests
{
    private static IKeyService? CreateService()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        if (string.IsNullOrWhiteSpace(configuration[KeyServiceCollectionExtensions.VaultUriSetting]))
        {
            return null;
        }

        return new ServiceCollection().AddServiceKeys(configuration).BuildServiceProvider().GetRequiredService<IKeyService>();
    }

    [SkippableFact]
    public async Task Signs_and_verifies_with_the_real_vault()
    {
        var keys = CreateService();
        Skip.If(keys is null, "KeyVault__Uri is not set");
        Assert.IsType<KeyVaultKeyService>(keys);
        var data = Encoding.UTF8.GetBytes($"live test {Guid.NewGuid()}");

        var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, data);
        var jwk = await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning);

        Assert.True(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, data, signature.Signature));
        data[0] ^= 1;
        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, data, signature.Signature));
        Assert.StartsWith("https://", jwk.Kid, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Wraps_and_unwraps_with_the_real_vault()
    {
        var keys = CreateService();
        Skip.If(keys is null, "KeyVault__Uri is not set");
        var dataKey = RandomNumberGenerator.GetBytes(32);

        var wrapped = await keys.WrapKeyAsync(ServiceKeyNames.DataEncryption, dataKey);

        Assert.Equal(dataKey, await keys.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped));
    }
}
