using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ServerlessMyKey.Cli.Pki;

/// <summary>
/// A virtual My Number Card: the authentication (利用者証明用) and signing (署名用) key pairs and
/// certificates, as the card's two JPKI applets hold them. Stored as one JSON file of PEMs.
/// </summary>
public sealed class VirtualCard
{
    private VirtualCard(string id, X509Certificate2 authentication, X509Certificate2 signing)
    {
        Id = id;
        AuthenticationCertificate = authentication;
        SigningCertificate = signing;
    }

    public string Id { get; }

    /// <summary>Has its private key (RSA-2048).</summary>
    public X509Certificate2 AuthenticationCertificate { get; }

    /// <summary>Has its private key (RSA-2048).</summary>
    public X509Certificate2 SigningCertificate { get; }

    /// <summary>What the card does for login: RSASSA-PKCS1-v1_5 over SHA-256 of the challenge with the authentication key.</summary>
    public byte[] SignWithAuthenticationKey(byte[] data)
    {
        using var key = AuthenticationCertificate.GetRSAPrivateKey()!;
        return key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>What the card does for a signature: RSASSA-PKCS1-v1_5 over SHA-256 with the signing key.</summary>
    public byte[] SignWithSigningKey(byte[] data)
    {
        using var key = SigningCertificate.GetRSAPrivateKey()!;
        return key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    internal static VirtualCard Create(string id, X509Certificate2 authentication, X509Certificate2 signing) => new(id, authentication, signing);

    internal void Save(string path)
    {
        var stored = new StoredCard(
            Id,
            AuthenticationCertificate.ExportCertificatePem(),
            AuthenticationCertificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem(),
            SigningCertificate.ExportCertificatePem(),
            SigningCertificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        PrivateFile.Write(path, JsonSerializer.Serialize(stored, new JsonSerializerOptions { WriteIndented = true }));
    }

    internal static VirtualCard Load(string path)
    {
        var stored = JsonSerializer.Deserialize<StoredCard>(File.ReadAllText(path)) ?? throw new InvalidDataException($"'{path}' is not a virtual card.");
        return new VirtualCard(
            stored.Id,
            X509Certificate2.CreateFromPem(stored.AuthenticationCertificate, stored.AuthenticationKey),
            X509Certificate2.CreateFromPem(stored.SigningCertificate, stored.SigningKey));
    }

    private sealed record StoredCard(string Id, string AuthenticationCertificate, string AuthenticationKey, string SigningCertificate, string SigningKey);
}
