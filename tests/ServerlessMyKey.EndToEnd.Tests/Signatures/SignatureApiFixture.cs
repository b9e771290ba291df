using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Cli.Pki;

namespace ServerlessMyKey.EndToEnd.Tests.Signatures;

/// <summary>The real app in a DevHost with a verifier client and receipts that keep (encrypted) holder data.</summary>
public sealed class SignatureApiFixture : DevHostFixture
{
    public const string VerifierKey = "e2e-insurer-verifier-key-00000000";
    public const string InsurerKey = "e2e-insurer-status-key-0000000000";
    public const string OtherKey = "e2e-points-only-key-00000000000000";

    public static readonly CardHolder Holder = new("山田\u3000花子", "東京都千代田区霞が関2-1-2", new DateOnly(1990, 4, 1), "female");

    public Task<HttpResponseMessage> PostAsync(string path, object body, string? apiKey = VerifierKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? apiKey = VerifierKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        return Http.SendAsync(request);
    }

    /// <summary>CMS SignedData by the card's signing key, SHA-256, with signingTime (now as UTCTime, or the encoded <paramref name="signingTime"/>).</summary>
    public static byte[] Cms(X509Certificate2 certificate, byte[] data, bool detached, string digestOid = "2.16.840.1.101.3.4.2.1", byte[]? signingTime = null)
    {
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate)
        {
            DigestAlgorithm = new Oid(digestOid),
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        signer.SignedAttributes.Add(signingTime is null ? new Pkcs9SigningTime(DateTime.UtcNow) : new AsnEncodedData(new Oid("1.2.840.113549.1.9.5"), signingTime));
        var cms = new SignedCms(new ContentInfo(data), detached);
        cms.ComputeSignature(signer);
        return cms.Encode();
    }

    public static byte[] SignSha1(X509Certificate2 certificate, byte[] data)
    {
        using var key = certificate.GetRSAPrivateKey()!;
        return key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
    }

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Clients:e2e-verifier:ApiKey"] = VerifierKey,
        ["Clients:e2e-verifier:Roles"] = "signatures.verify",
        ["Clients:e2e-insurer:ApiKey"] = InsurerKey,
        ["Clients:e2e-insurer:Roles"] = "certificates.status",
        ["Clients:e2e-other:ApiKey"] = OtherKey,
        ["Clients:e2e-other:Roles"] = "points.read",
        ["Signatures:StoreHolderData"] = "true",
    };
}
