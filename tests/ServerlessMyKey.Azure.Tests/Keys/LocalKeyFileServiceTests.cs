using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ServerlessMyKey.Azure.Keys;
using ServerlessMyKey.Azure.Tests.TestSupport;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Azure.Tests.Keys;

public sealed class LocalKeyFileServiceTests : IDisposable
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("header.payload");

    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task After_a_rotation_the_previous_key_is_published_for_the_overlap_and_still_verifies()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var keys = new LocalKeyFileService(_folder.Path, timeProvider: time);
        var old = await keys.SignAsync(ServiceKeyNames.TokenSigning, Data);

        keys.RotateSigningKey(ServiceKeyNames.TokenSigning);
        var current = await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning);
        var during = await keys.GetPublishedKeysAsync(ServiceKeyNames.TokenSigning, TimeSpan.FromHours(1));
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1)); // the file's time is the real clock's
        var after = await keys.GetPublishedKeysAsync(ServiceKeyNames.TokenSigning, TimeSpan.FromHours(1));

        Assert.NotEqual(old.KeyId, current.Kid);
        Assert.Equal([current.Kid, old.KeyId], during.Select(k => k.Kid));
        Assert.Equal([current.Kid], after.Select(k => k.Kid));
        Assert.True(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, old.KeyId, Data, old.Signature));
    }

    [Fact]
    public async Task Sign_then_verify_round_trips()
    {
        using var keys = new LocalKeyFileService(_folder.Path);

        var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, Data);

        Assert.Equal(64, signature.Signature.Length);
        Assert.True(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, Data, signature.Signature));
    }

    [Fact]
    public async Task Public_jwk_verifies_the_signature_with_a_fresh_ecdsa()
    {
        using var keys = new LocalKeyFileService(_folder.Path);
        var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, Data);

        var jwk = await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning);

        Assert.Equal(("EC", "P-256", "ES256", "sig"), (jwk.Kty, jwk.Crv, jwk.Alg, jwk.Use));
        Assert.Equal(signature.KeyId, jwk.Kid);
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.X), Y = Base64Url.DecodeFromChars(jwk.Y) },
        });
        Assert.True(ecdsa.VerifyData(Data, signature.Signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task Kid_is_the_rfc7638_thumbprint_of_the_public_jwk()
    {
        using var keys = new LocalKeyFileService(_folder.Path);

        var jwk = await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning);

        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{jwk.X}}","y":"{{jwk.Y}}"}""";
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), jwk.Kid);
    }

    [Fact]
    public void Thumbprint_matches_the_rfc7638_example()
    {
        // RFC 7638 §3.1.
        var jwk = new PublicJsonWebKey("2011-04-29", "RSA",
            N: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            E: "AQAB");

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", JsonWebKeys.Thumbprint(jwk));
    }

    [Fact]
    public async Task Tampered_data_or_signature_fails_verification()
    {
        using var keys = new LocalKeyFileService(_folder.Path);
        var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, Data);
        var tamperedData = (byte[])Data.Clone();
        tamperedData[0] ^= 1;
        var tamperedSignature = (byte[])signature.Signature.Clone();
        tamperedSignature[10] ^= 1;

        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, tamperedData, signature.Signature));
        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, Data, tamperedSignature));
        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, Data, signature.Signature.AsMemory(0, 63)));
        Assert.False(await keys.VerifyAsync(ServiceKeyNames.TokenSigning, "another-kid", Data, signature.Signature));
    }

    [Fact]
    public async Task Wrap_then_unwrap_round_trips()
    {
        using var keys = new LocalKeyFileService(_folder.Path);
        var dataKey = RandomNumberGenerator.GetBytes(32);

        var wrapped = await keys.WrapKeyAsync(ServiceKeyNames.DataEncryption, dataKey);

        Assert.Equal("RSA-OAEP-256", wrapped.Algorithm);
        Assert.Equal(256, wrapped.Value.Length);
        Assert.Equal(dataKey, await keys.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped));
        var jwk = await keys.GetPublicKeyAsync(ServiceKeyNames.DataEncryption);
        Assert.Equal(("RSA", "RSA-OAEP-256", "enc", wrapped.KeyId), (jwk.Kty, jwk.Alg, jwk.Use, jwk.Kid));
    }

    [Fact]
    public async Task Unwrap_with_another_key_id_or_algorithm_is_refused()
    {
        using var keys = new LocalKeyFileService(_folder.Path);
        var wrapped = await keys.WrapKeyAsync(ServiceKeyNames.DataEncryption, new byte[32]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => keys.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped with { KeyId = "old" }));
        await Assert.ThrowsAsync<ArgumentException>(() => keys.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped with { Algorithm = "RSA1_5" }));
    }

    [Fact]
    public async Task Keys_persist_across_instances()
    {
        KeySignature signature;
        WrappedKey wrapped;
        using (var first = new LocalKeyFileService(_folder.Path))
        {
            signature = await first.SignAsync(ServiceKeyNames.TokenSigning, Data);
            wrapped = await first.WrapKeyAsync(ServiceKeyNames.DataEncryption, new byte[] { 1, 2, 3 });
        }

        using var second = new LocalKeyFileService(_folder.Path);

        Assert.Equal(signature.KeyId, (await second.GetPublicKeyAsync(ServiceKeyNames.TokenSigning)).Kid);
        Assert.True(await second.VerifyAsync(ServiceKeyNames.TokenSigning, signature.KeyId, Data, signature.Signature));
        Assert.Equal(new byte[] { 1, 2, 3 }, await second.UnwrapKeyAsync(ServiceKeyNames.DataEncryption, wrapped));
    }

    [Fact]
    public async Task Concurrent_first_use_from_two_instances_yields_one_key()
    {
        for (var round = 0; round < 200; round++)
        {
            var folder = Path.Combine(_folder.Path, $"round{round}");
            using var first = new LocalKeyFileService(folder);
            using var second = new LocalKeyFileService(folder);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var lookups = Enumerable.Range(0, 8).Select(async i =>
            {
                await start.Task;
                return (await (i % 2 == 0 ? first : second).GetPublicKeyAsync(ServiceKeyNames.TokenSigning)).Kid;
            }).ToArray();
            start.SetResult();
            var kids = await Task.WhenAll(lookups);

            Assert.Single(kids.Distinct());
            Assert.Equal(["token-signing.pem"], Directory.GetFiles(folder).Select(Path.GetFileName));
        }
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Key_file_is_readable_by_the_owner_only()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes");
        using var keys = new LocalKeyFileService(_folder.Path);

        await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning);

        var mode = File.GetUnixFileMode(Path.Combine(_folder.Path, "token-signing.pem"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task Corrupt_key_file_fails_with_its_path()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder.Path, "token-signing.pem"), "not a key");
        using var keys = new LocalKeyFileService(_folder.Path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning));

        Assert.Contains("token-signing.pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_key_or_wrong_operation_is_refused()
    {
        using var keys = new LocalKeyFileService(_folder.Path);

        await Assert.ThrowsAsync<ArgumentException>(() => keys.SignAsync("nope", Data));
        await Assert.ThrowsAsync<InvalidOperationException>(() => keys.SignAsync(ServiceKeyNames.DataEncryption, Data));
        await Assert.ThrowsAsync<InvalidOperationException>(() => keys.WrapKeyAsync(ServiceKeyNames.TokenSigning, new byte[16]));
    }
}
