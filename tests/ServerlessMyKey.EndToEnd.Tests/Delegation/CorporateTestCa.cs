using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ServerlessMyKey.Core.Json;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>
/// A corporate CA in the shape this service expects of the 電子認証登記所 (docs/delegation.md
/// "Corporate delegators"): a CA certificate, end-entity certificates with the 12-digit 会社法人等番号
/// in the subject serialNumber, and a CRL. Built in memory for tests; never a real registry certificate.
/// </summary>
public sealed class CorporateTestCa : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);

    public CorporateTestCa(string name)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(name + " (TEST ONLY)");
        subject.AddCountryOrRegion("JP");
        var request = new CertificateRequest(subject.Build(), _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(5));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>A representative's certificate for the company with this 会社法人等番号.</summary>
    public CorporateSigner Issue(
        string companyNumber,
        X509KeyUsageFlags usage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        var key = RSA.Create(2048);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("代表取締役 鈴木一郎");
        subject.Add(new Oid("2.5.4.5"), companyNumber, UniversalTagNumber.PrintableString);
        subject.AddOrganizationName("株式会社サンプル");
        subject.AddCountryOrRegion("JP");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var caKeyId = Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes;
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caKeyId.Span));
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        var issued = request.Create(Certificate, notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1), serial);
        return new CorporateSigner(issued, key);
    }

    /// <summary>A CRL valid for a week listing <paramref name="revoked"/>.</summary>
    public byte[] Crl(params CorporateSigner[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var signer in revoked)
        {
            builder.AddEntry(signer.Certificate, DateTimeOffset.UtcNow.AddHours(-1), X509RevocationReason.CessationOfOperation);
        }

        var now = DateTimeOffset.UtcNow;
        return builder.Build(Certificate, new BigInteger(now.ToUnixTimeSeconds()), now.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, now.AddMinutes(-5));
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}

/// <summary>A corporate certificate and its key, signing like a virtual card does.</summary>
public sealed record CorporateSigner(X509Certificate2 Certificate, RSA Key)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary><c>{certificate, signature}</c> over the JCS form of <paramref name="value"/>, sending <paramref name="certificate"/> (default: this one).</summary>
    public object Signed(object value, byte[]? certificate = null) => new
    {
        certificate = Convert.ToBase64String(certificate ?? Certificate.RawData),
        signature = Convert.ToBase64String(Key.SignData(JsonCanonicalizer.Serialize(value, Web), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
    };
}
