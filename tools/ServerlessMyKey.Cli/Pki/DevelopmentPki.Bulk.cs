using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServerlessMyKey.Cli.Pki;

public sealed partial class DevelopmentPki
{
    /// <summary>
    /// Issues <paramref name="count"/> authentication certificates (利用者証明用 profile, distinct
    /// serials and subjects) that share one key pair whose private half is thrown away: load tests
    /// and benchmarks of certificate status need many real certificates, never their keys. They are
    /// not saved as cards.
    /// </summary>
    public IReadOnlyList<byte[]> IssueAuthenticationCertificates(int count)
    {
        using var key = RSA.Create(2048);
        return IssueAuthenticationCertificates(key, count);
    }

    /// <summary>
    /// As <see cref="IssueAuthenticationCertificates(int)"/>, on a key the caller keeps: many
    /// card-holders (distinct certificates, so distinct MyKey IDs) that can log in, without
    /// generating a key pair each.
    /// </summary>
    public IReadOnlyList<byte[]> IssueAuthenticationCertificates(RSA key, int count)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var publicKey = new PublicKey(key);
        var now = _time.GetUtcNow();
        var rootKeyId = AuthenticationRoot.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
        var prefix = RandomNumberGenerator.GetBytes(4);
        var certificates = new byte[count][];
        Parallel.For(
            0,
            count,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => AuthenticationRoot.GetRSAPrivateKey()!,
            (index, _, rootKey) =>
            {
                var subject = new X500DistinguishedNameBuilder();
                subject.AddCommonName(Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
                subject.AddCountryOrRegion("JP");
                var request = new CertificateRequest(subject.Build(), publicKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
                request.CertificateExtensions.Add(new X509Extension(JpkiProfile.CertificatePoliciesOid, CertificatePolicies(JpkiProfile.AuthenticationPolicy), true));
                request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
                request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(rootKeyId));
                // A positive serial, unique within the batch: 0x41, four random bytes, the index.
                byte[] serial = [0x41, .. prefix, (byte)(index >> 24), (byte)(index >> 16), (byte)(index >> 8), (byte)index];
                var generator = X509SignatureGenerator.CreateForRSA(rootKey, RSASignaturePadding.Pkcs1);
                using var issued = request.Create(AuthenticationRoot.SubjectName, generator, now.AddMinutes(-5), now.AddYears(5), serial);
                certificates[index] = issued.RawData;
                return rootKey;
            },
            rootKey => rootKey.Dispose());
        return certificates;
    }

    /// <summary>Revokes one certificate issued by either root (e.g. one of <see cref="IssueAuthenticationCertificates"/>) and publishes the CRLs again.</summary>
    public void Revoke(X509Certificate2 certificate, X509RevocationReason reason = X509RevocationReason.Unspecified)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var kind = certificate.IssuerName.RawData.AsSpan().SequenceEqual(AuthenticationRoot.SubjectName.RawData) ? "auth"
            : certificate.IssuerName.RawData.AsSpan().SequenceEqual(SigningRoot.SubjectName.RawData) ? "sign"
            : throw new ArgumentException("The certificate was not issued by this PKI.", nameof(certificate));
        Revoke([(kind, certificate)], reason);
    }
}
