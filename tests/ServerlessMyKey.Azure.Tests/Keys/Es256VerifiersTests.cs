using System.Security.Cryptography;
using System.Text;
using ServerlessMyKey.Azure.Keys;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Keys;

/// <summary>The kept, pooled ES256 public keys: concurrent verifications under several keys never answer with another key's instance.</summary>
public sealed class Es256VerifiersTests
{
    [Fact]
    public async Task Concurrent_verifications_under_two_keys_each_answer_for_their_own_key()
    {
        using var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var data = Encoding.ASCII.GetBytes("header.payload");
        var signedByFirst = first.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var signedBySecond = second.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var firstKey = first.ExportParameters(includePrivateParameters: false);
        var secondKey = second.ExportParameters(includePrivateParameters: false);

        var answers = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => (i % 4) switch
        {
            0 => JsonWebKeys.VerifyEs256(firstKey, data, signedByFirst),
            1 => !JsonWebKeys.VerifyEs256(firstKey, data, signedBySecond),
            2 => JsonWebKeys.VerifyEs256(secondKey, data, signedBySecond),
            _ => !JsonWebKeys.VerifyEs256(secondKey, data, signedByFirst),
        })));

        Assert.All(answers, Assert.True);
    }
}
