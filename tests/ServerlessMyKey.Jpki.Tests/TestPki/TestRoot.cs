using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Trust;

namespace ServerlessMyKey.Jpki.Tests.TestPki;

/// <summary>A root of the development PKI, with its private key, able to issue certificates and CRLs.</summary>
internal sealed class TestRoot
{
    private TestRoot(JpkiCertificateKind kind, X509Certificate2 certificate, RSA key)
    {
        Kind = kind;
        Certificate = certificate;
        Key = key;
        KeyIdentifier = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
    }

    public JpkiCertificateKind Kind { get; }

    public X509Certificate2 Certificate { get; }

    public RSA Key { get; }

    public byte[] KeyIdentifier { get; }

    public byte[] Der => Certificate.RawData;

    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Der));

    public X500DistinguishedName Name => Certificate.SubjectName;

    public JpkiRootCertificate ToAnchor() => new(Kind, Der, $"test:{Kind}:{Fingerprint[..8]}");

    public static TestRoot Create(JpkiCertificateKind kind, RSA key, X500DistinguishedName subject, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new TestRoot(kind, request.CreateSelfSigned(notBefore, notAfter), key);
    }
}
