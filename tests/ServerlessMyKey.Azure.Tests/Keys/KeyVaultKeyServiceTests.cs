using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Tests.Keys;

public sealed class KeyVaultKeyServiceTests : IDisposable
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("header.payload");

    private readonly ECDsa _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly RSA _wrappingKey = RSA.Create(2048);
    private readonly StubVault _vault = new();
    private readonly string _signingKid;
    private readonly string _wrappingKid;

    public KeyVaultKeyServiceTests()
    {
        _signingKid = _vault.AddVersion(ServiceKeyNames.TokenSigning, _signingKey);
        _wrappingKid = _vault.AddVersion(ServiceKeyNames.DataEncryption, _wrappingKey);
    }

    public void Dispose()
    {
        _signingKey.Dispose();
        _wrappingKey.Dispose();
        _vault.Dispose();
    }

    [Fact]
    public async Task Get_public_key_reads_the_latest_version()
    {
        var keys = _vault.CreateService();

        var jwk = await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning);

        var request = Assert.Single(_vault.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal($"https://{StubVault.Host}/keys/token-signing?api-version=2025-07-01", request.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {StubVault.Token}", request.Authorization);
        Assert.Null(request.Body);
        var expected = _signingKey.ExportParameters(false);
        Assert.Equal((_signingKid, "EC", "P-256", "ES256", "sig"), (jwk.Kid, jwk.Kty, jwk.Crv, jwk.Alg, jwk.Use));
        Assert.Equal(expected.Q.X, Base64Url.DecodeFromChars(jwk.X));
        Assert.Equal(expected.Q.Y, Base64Url.DecodeFromChars(jwk.Y));
    }

    [Fact]
    public async Task Sign_posts_the_sha256_digest_to_the_versioned_key()
    {
        var keys = _vault.CreateService();

        var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, Data);

        Assert.Equal(2, _vault.Requests.Count);
        var sign = _vault.Requests[1];
        Assert.Equal("POST", sign.Method);
        Assert.Equal($"{_signingKid}/sign?api-version=2025-07-01", sign.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {StubVault.Token}", sign.Authorization);
        Assert.Equal(["alg", "value"], sign.Body!.Select(p => p.Key).Order());
        Assert.Equal("ES256", (string?)sign.Body!["alg"]);
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Data)), (string?)sign.Body["value"]);
        Assert.Equal(_signingKid, signature.KeyId);
        Assert.True(_signingKey.VerifyData(Data, signature.Signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task Verify_uses_the_cached_public_key_and_rejects_tampering()
    {
        var keys = _vault.CreateService();
        var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, Data);
        var tampered = (byte[])Data.Clone();
        tampered[^1] ^= 1;

        Assert.True(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, Data, signature.Signature));
        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, tampered, signature.Signature));
        Assert.Equal(2, _vault.Requests.Count); // get + sign: verification is local
    }

    [Fact]
    public async Task Verify_fetches_an_older_version_named_by_the_key_id()
    {
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var oldKid = _vault.AddVersion(ServiceKeyNames.TokenSigning, oldKey);
        _vault.AddVersion(ServiceKeyNames.TokenSigning, _signingKey);
        var keys = _vault.CreateService();
        var oldSignature = oldKey.SignData(Data, HashAlgorithmName.SHA256);

        Assert.True(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, oldKid, Data, oldSignature));
        Assert.True(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, oldKid, Data, oldSignature));

        Assert.Equal(
            [("GET", $"https://{StubVault.Host}/keys/token-signing/versions?api-version=2025-07-01"), ("GET", $"{oldKid}?api-version=2025-07-01")],
            _vault.Requests.Select(r => (r.Method, r.Uri.AbsoluteUri)));
    }

    [Fact]
    public async Task A_flood_of_unknown_versions_costs_one_version_list_and_no_key_reads()
    {
        var keys = _vault.CreateService();

        for (var i = 0; i < 50; i++)
        {
            Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, StubVault.KeyId("token-signing", Guid.NewGuid().ToString("N")), Data, new byte[64]));
        }

        var request = Assert.Single(_vault.Requests);
        Assert.Equal($"https://{StubVault.Host}/keys/token-signing/versions?api-version=2025-07-01", request.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task A_disabled_version_no_longer_verifies()
    {
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var oldKid = _vault.AddVersion(ServiceKeyNames.TokenSigning, oldKey);
        _vault.AddVersion(ServiceKeyNames.TokenSigning, _signingKey);
        _vault.Attributes[oldKid.Split('/')[^1]]["enabled"] = false;
        var keys = _vault.CreateService();

        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, oldKid, Data, oldKey.SignData(Data, HashAlgorithmName.SHA256)));
    }

    [Fact]
    public async Task A_version_past_its_exp_no_longer_verifies()
    {
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var oldKid = _vault.AddVersion(ServiceKeyNames.TokenSigning, oldKey);
        _vault.AddVersion(ServiceKeyNames.TokenSigning, _signingKey);
        _vault.Attributes[oldKid.Split('/')[^1]]["exp"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        var keys = _vault.CreateService();

        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, oldKid, Data, oldKey.SignData(Data, HashAlgorithmName.SHA256)));
    }

    [Fact]
    public async Task The_published_keys_hold_the_previous_version_for_the_overlap_only()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1)); // the rotation, an hour after the first version
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _vault.NextCreated = time.GetUtcNow();
        var newKid = _vault.AddVersion(ServiceKeyNames.TokenSigning, newKey);

        var during = await _vault.CreateService(time: time).GetPublishedKeysAsync(ServiceKeyNames.TokenSigning, TimeSpan.FromHours(1));
        time.Advance(TimeSpan.FromHours(1));
        var after = await _vault.CreateService(time: time).GetPublishedKeysAsync(ServiceKeyNames.TokenSigning, TimeSpan.FromHours(1));

        Assert.Equal([newKid, _signingKid], during.Select(k => k.Kid));
        Assert.Equal([newKid], after.Select(k => k.Kid));
    }

    [Theory]
    [InlineData("https://evil.example/keys/token-signing/0123456789abcdef0123456789abcdef")]
    [InlineData("https://fake-vault.vault.azure.net/keys/other-key/0123456789abcdef0123456789abcdef")]
    [InlineData("https://fake-vault.vault.azure.net/keys/token-signing/../other/0123")]
    [InlineData("https://fake-vault.vault.azure.net/keys/token-signing/0123%2F..")]
    [InlineData("http://fake-vault.vault.azure.net/keys/token-signing/0123456789abcdef0123456789abcdef")]
    [InlineData("not a url")]
    public async Task Verify_never_fetches_a_key_id_outside_this_key(string keyId)
    {
        var keys = _vault.CreateService();

        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, keyId, Data, new byte[64]));
        Assert.Empty(_vault.Requests);
    }

    [Fact]
    public async Task Verify_with_an_unknown_version_is_false()
    {
        var keys = _vault.CreateService();

        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, StubVault.KeyId("token-signing", "0123456789abcdef"), Data, new byte[64]));
    }

    [Fact]
    public async Task Current_key_is_cached_for_the_configured_duration()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var keys = _vault.CreateService(new KeyVaultKeyServiceOptions { KeyCacheDuration = TimeSpan.FromMinutes(5) }, time);

        await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning);
        time.Advance(TimeSpan.FromMinutes(4));
        await keys.SignAsync(ServiceKeyNames.TokenSigning, Data);
        time.Advance(TimeSpan.FromMinutes(2));
        await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning);

        Assert.Equal(["GET", "POST", "GET"], _vault.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task Logical_names_map_to_configured_key_vault_names()
    {
        _vault.AddVersion("jwt-signing-key", _signingKey);
        var options = new KeyVaultKeyServiceOptions();
        options.KeyNames[ServiceKeyNames.TokenSigning] = "jwt-signing-key";
        var keys = _vault.CreateService(options);

        var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, Data);

        Assert.All(_vault.Requests, r => Assert.StartsWith("/keys/jwt-signing-key", r.Uri.AbsolutePath, StringComparison.Ordinal));
        Assert.True(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, Data, signature.Signature));
    }

    [Fact]
    public async Task Wrap_posts_the_data_key_with_rsa_oaep_256()
    {
        var keys = _vault.CreateService();
        var dataKey = RandomNumberGenerator.GetBytes(32);

        var wrapped = await keys.WrapKeyAsync(ServiceKeyNames.DataEncryption, dataKey);

        var wrap = _vault.Requests[1];
        Assert.Equal(("POST", $"{_wrappingKid}/wrapkey?api-version=2025-07-01"), (wrap.Method, wrap.Uri.AbsoluteUri));
        Assert.Equal($"Bearer {StubVault.Token}", wrap.Authorization);
        Assert.Equal("RSA-OAEP-256", (string?)wrap.Body!["alg"]);
        Assert.Equal(Base64Url.EncodeToString(dataKey), (string?)wrap.Body["value"]);
        Assert.Equal((_wrappingKid, "RSA-OAEP-256"), (wrapped.KeyId, wrapped.Algorithm));
        Assert.Equal(dataKey, _wrappingKey.Decrypt(wrapped.Value, RSAEncryptionPadding.OaepSHA256));
    }

    [Fact]
    public async Task Unwrap_posts_to_the_version_that_wrapped()
    {
        var keys = _vault.CreateService();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = new WrappedKey(_wrappingKid, "RSA-OAEP-256", _wrappingKey.Encrypt(dataKey, RSAEncryptionPadding.OaepSHA256));

        var unwrapped = await keys.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped);

        var unwrap = Assert.Single(_vault.Requests);
        Assert.Equal(("POST", $"{_wrappingKid}/unwrapkey?api-version=2025-07-01"), (unwrap.Method, unwrap.Uri.AbsoluteUri));
        Assert.Equal($"Bearer {StubVault.Token}", unwrap.Authorization);
        Assert.Equal("RSA-OAEP-256", (string?)unwrap.Body!["alg"]);
        Assert.Equal(Base64Url.EncodeToString(wrapped.Value), (string?)unwrap.Body["value"]);
        Assert.Equal(dataKey, unwrapped);
    }

    [Fact]
    public async Task Rsa_public_jwk_has_no_leading_zero_in_the_modulus()
    {
        var keys = _vault.CreateService();

        var jwk = await keys.GetPublicKeyAsync(ServiceKeyNames.DataEncryption);

        Assert.Equal(("RSA", "RSA-OAEP-256", "enc"), (jwk.Kty, jwk.Alg, jwk.Use));
        Assert.Equal(_wrappingKey.ExportParameters(false).Modulus, Base64Url.DecodeFromChars(jwk.N));
    }

    [Fact]
    public async Task Unwrap_refuses_a_key_id_of_another_vault_without_calling_it()
    {
        var keys = _vault.CreateService();
        var wrapped = new WrappedKey("https://other.vault.azure.net/keys/data-encryption/0123456789abcdef", "RSA-OAEP-256", new byte[256]);

        await Assert.ThrowsAsync<ArgumentException>(() => keys.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped));
        Assert.Empty(_vault.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Server_errors_map_to_dependency_unavailable(HttpStatusCode status)
    {
        _vault.Respond = _ => StubVault.Error(status, "InternalError", "boom");
        var keys = _vault.CreateService();

        var error = await Assert.ThrowsAsync<ServiceException>(() => keys.SignAsync(ServiceKeyNames.TokenSigning, Data));

        Assert.Equal("dependency_unavailable", error.Error.Code);
    }

    [Fact]
    public async Task Transport_failures_map_to_dependency_unavailable()
    {
        _vault.Respond = _ => throw new HttpRequestException("connection refused");
        var keys = _vault.CreateService();

        var error = await Assert.ThrowsAsync<ServiceException>(() => keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning));

        Assert.Equal(ErrorCodes.DependencyUnavailable, error.Error);
    }

    [Fact]
    public async Task Network_timeouts_map_to_dependency_unavailable()
    {
        _vault.Delay = TimeSpan.FromSeconds(30);
        var options = new KeyVaultKeyServiceOptions();
        options.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(200);
        var keys = _vault.CreateService(options);

        var error = await Assert.ThrowsAsync<ServiceException>(() => keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning));

        Assert.Equal(ErrorCodes.DependencyUnavailable, error.Error);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_mapped()
    {
        _vault.Delay = TimeSpan.FromSeconds(30);
        var keys = _vault.CreateService();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning, cancel.Token));
    }

    [Fact]
    public async Task Missing_key_is_a_configuration_error_naming_the_key_and_setting()
    {
        var keys = _vault.CreateService();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => keys.SignAsync("receipt-sealing", Data));

        Assert.Contains("'receipt-sealing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("KeyVault:Keys:receipt-sealing", error.Message, StringComparison.Ordinal);
        Assert.Contains("KeyNotFound", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forbidden_is_a_configuration_error_naming_the_role()
    {
        _vault.Respond = _ => StubVault.Error(HttpStatusCode.Forbidden, "Forbidden", "The user does not have keys sign permission.");
        var keys = _vault.CreateService();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning));

        Assert.Contains("Key Vault Crypto User", error.Message, StringComparison.Ordinal);
        Assert.Contains("'token-signing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_never_echo_the_signed_data()
    {
        var keys = _vault.CreateService();
        await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning);
        _vault.Respond = _ => StubVault.Error(HttpStatusCode.BadRequest, "BadParameter", "Invalid digest.");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => keys.SignAsync(ServiceKeyNames.TokenSigning, Data));

        Assert.DoesNotContain(Base64Url.EncodeToString(SHA256.HashData(Data)), error.ToString(), StringComparison.Ordinal);
        Assert.Contains("BadParameter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vault_uri_must_be_https()
    {
        Assert.Throws<ArgumentException>(() => new KeyVaultKeyService(new Uri("http://fake-vault.vault.azure.net/"), new global::Azure.Identity.DefaultAzureCredential()));
    }
}
