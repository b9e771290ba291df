using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServerlessMyKey.Cli.Pki;

/// <summary>
/// A development PKI shaped like JPKI: two self-signed RSA-2048 roots (authentication, signing)
/// whose names say they are for development, virtual cards issued with the real JPKI end-entity
/// profiles, and CRLs for revocation. It lives in a folder (by default <c>.devhost/pki</c>); the
/// DevHost trusts it in Development only. Nothing here is ever trusted in production.
/// </summary>
public sealed partial class DevelopmentPki
{
    public const string OrganizationName = "JPKI-DEV";
    private static readonly TimeSpan CrlLifetime = TimeSpan.FromDays(7);

    private readonly TimeProvider _time;

    private DevelopmentPki(string folder, X509Certificate2 authenticationRoot, X509Certificate2 signingRoot, TimeProvider time)
    {
        Folder = folder;
        AuthenticationRoot = authenticationRoot;
        SigningRoot = signingRoot;
        _time = time;
    }

    public string Folder { get; }

    /// <summary>The authentication root, with its private key.</summary>
    public X509Certificate2 AuthenticationRoot { get; }

    /// <summary>The signing root, with its private key.</summary>
    public X509Certificate2 SigningRoot { get; }

    public string AuthenticationRootPath => Path.Combine(Folder, "auth-root.pem");

    public string SigningRootPath => Path.Combine(Folder, "sign-root.pem");

    public string AuthenticationCrlPath => Path.Combine(Folder, "auth.crl");

    public string SigningCrlPath => Path.Combine(Folder, "sign.crl");

    private string CardsFolder => Path.Combine(Folder, "cards");

    private string RevokedPath => Path.Combine(Folder, "revoked.json");

    /// <summary>Opens the PKI in <paramref name="folder"/>, creating roots and CRLs on first use.</summary>
    public static DevelopmentPki LoadOrCreate(string folder, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        using var gate = FolderLock.Acquire(Path.Combine(folder, ".lock"));
        var pki = new DevelopmentPki(folder, LoadOrCreateRoot(folder, "auth", "JPKI for user authentication", time), LoadOrCreateRoot(folder, "sign", "JPKI for digital signature", time), time);
        pki.EnsureFreshCrls();
        return pki;
    }

    /// <summary>
    /// Issues a virtual card: authentication and signing certificates with their keys, valid from
    /// now for five years unless <paramref name="validFrom"/>/<paramref name="validTo"/> say otherwise
    /// (tests issue expired or not-yet-valid cards this way). <paramref name="keys"/> lends the two key pairs
    /// (the caller keeps and disposes them): a test suite issuing many cards generates two RSA keys once,
    /// while every card still has certificates, serial numbers and so a MyKey ID of its own.
    /// </summary>
    public VirtualCard IssueCard(CardHolder holder, DateTimeOffset? validFrom = null, DateTimeOffset? validTo = null, (RSA Authentication, RSA Signing)? keys = null)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var now = validFrom ?? _time.GetUtcNow();
        var notAfter = validTo ?? now.AddYears(5);
        var id = "card-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

        using var ownAuthKey = keys is null ? RSA.Create(2048) : null;
        using var ownSignKey = keys is null ? RSA.Create(2048) : null;
        var authKey = keys?.Authentication ?? ownAuthKey!;
        // X500DistinguishedNameBuilder encodes the last-added RDN first: build from CN up to C.
        var authSubject = new X500DistinguishedNameBuilder();
        authSubject.AddCommonName(Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
        authSubject.AddCountryOrRegion("JP");
        var authentication = IssueLeaf(AuthenticationRoot, authKey, authSubject.Build(), JpkiProfile.AuthenticationPolicy,
            X509KeyUsageFlags.DigitalSignature, subjectAlternativeName: null, now, notAfter);

        var signKey = keys?.Signing ?? ownSignKey!;
        var (prefecture, city) = SplitAddress(holder.Address);
        var signSubject = new X500DistinguishedNameBuilder();
        signSubject.AddCommonName(Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
        signSubject.AddLocalityName(city);
        signSubject.AddLocalityName(prefecture);
        signSubject.AddCountryOrRegion("JP");
        var signing = IssueLeaf(SigningRoot, signKey, signSubject.Build(), JpkiProfile.SigningPolicy,
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, BasicFourInformation(holder), now, notAfter);

        var card = VirtualCard.Create(id, authentication, signing);
        card.Save(Path.Combine(CardsFolder, id + ".json"));
        return card;
    }

    public VirtualCard LoadCard(string id)
    {
        if (!CardId().IsMatch(id))
        {
            throw new ArgumentException($"'{id}' is not a card id.", nameof(id));
        }

        var path = Path.Combine(CardsFolder, id + ".json");
        return File.Exists(path) ? VirtualCard.Load(path) : throw new FileNotFoundException($"No virtual card '{id}' in {CardsFolder}.");
    }

    public IReadOnlyList<string> CardIds() =>
        Directory.Exists(CardsFolder)
            ? [.. Directory.EnumerateFiles(CardsFolder, "card-*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!]
            : [];

    /// <summary>Revokes a card's certificate(s): adds them to their root's CRL and publishes the CRLs again.</summary>
    public void Revoke(VirtualCard card, CardCertificates which, X509RevocationReason reason = X509RevocationReason.Unspecified)
    {
        ArgumentNullException.ThrowIfNull(card);
        var targets = new List<(string Kind, X509Certificate2 Certificate)>();
        if (which.HasFlag(CardCertificates.Authentication))
        {
            targets.Add(("auth", card.AuthenticationCertificate));
        }

        if (which.HasFlag(CardCertificates.Signing))
        {
            targets.Add(("sign", card.SigningCertificate));
        }

        Revoke(targets, reason);
    }

    private void Revoke(IReadOnlyList<(string Kind, X509Certificate2 Certificate)> targets, X509RevocationReason reason)
    {
        using var gate = FolderLock.Acquire(Path.Combine(Folder, ".lock"));
        var revoked = LoadRevoked();
        foreach (var (kind, certificate) in targets.Where(t => !revoked.Any(r => r.Kind == t.Kind && r.SerialNumber == t.Certificate.SerialNumber)))
        {
            revoked.Add(new RevokedEntry(certificate.SerialNumber, kind, _time.GetUtcNow(), reason));
        }

        PrivateFile.Write(RevokedPath, JsonSerializer.Serialize(revoked));
        PublishCrls(revoked);
    }

    /// <summary>Publishes the CRLs again when missing or within a day of their next update.</summary>
    public void EnsureFreshCrls()
    {
        var stale = new[] { AuthenticationCrlPath, SigningCrlPath }.Any(p => !File.Exists(p) || File.GetLastWriteTimeUtc(p) < _time.GetUtcNow().UtcDateTime - CrlLifetime + TimeSpan.FromDays(1));
        if (stale)
        {
            PublishCrls(LoadRevoked());
        }
    }

    private void PublishCrls(List<RevokedEntry> revoked)
    {
        var now = _time.GetUtcNow();
        var crlNumber = new System.Numerics.BigInteger(now.ToUnixTimeMilliseconds());
        foreach (var (kind, root, path) in new[] { ("auth", AuthenticationRoot, AuthenticationCrlPath), ("sign", SigningRoot, SigningCrlPath) })
        {
            var builder = new CertificateRevocationListBuilder();
            foreach (var entry in revoked.Where(r => r.Kind == kind))
            {
                builder.AddEntry(Convert.FromHexString(entry.SerialNumber), entry.RevokedAt, entry.Reason);
            }

            var crl = ExpiredCertsOnCrl.Add(
                builder.Build(root, crlNumber, now + CrlLifetime, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, now.AddMinutes(-1)),
                new DateTimeOffset(root.NotBefore.ToUniversalTime()),
                root);
            var temporary = path + ".tmp";
            File.WriteAllBytes(temporary, crl);
            File.Move(temporary, path, overwrite: true);
        }
    }

    private List<RevokedEntry> LoadRevoked() =>
        File.Exists(RevokedPath) ? JsonSerializer.Deserialize<List<RevokedEntry>>(File.ReadAllText(RevokedPath)) ?? [] : [];

    private static X509Certificate2 LoadOrCreateRoot(string folder, string name, string purpose, TimeProvider time)
    {
        var certificatePath = Path.Combine(folder, name + "-root.pem");
        var keyPath = Path.Combine(folder, name + "-root.key.pem");
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath), File.ReadAllText(keyPath));
        }

        using var key = RSA.Create(2048);
        // C=JP, O=JPKI-DEV, OU=<purpose>, OU=DEVELOPMENT ONLY ... (added in reverse, see above).
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationalUnitName("DEVELOPMENT ONLY - not a J-LIS root (ServerlessMyKey mykey)");
        subject.AddOrganizationalUnitName(purpose);
        subject.AddOrganizationName(OrganizationName);
        subject.AddCountryOrRegion("JP");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        var root = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        PrivateFile.Write(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, root.ExportCertificatePem());
        return root;
    }

    private static X509Certificate2 IssueLeaf(
        X509Certificate2 root, RSA key, X500DistinguishedName subject, string policy, X509KeyUsageFlags usage,
        byte[]? subjectAlternativeName, DateTimeOffset now, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509Extension(JpkiProfile.CertificatePoliciesOid, CertificatePolicies(policy), true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var rootKeyId = root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes;
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(rootKeyId.Span));
        if (subjectAlternativeName is not null)
        {
            request.CertificateExtensions.Add(new X509Extension("2.5.29.17", subjectAlternativeName, false));
        }

        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        using var issued = request.Create(root, now.AddMinutes(-5), notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    private static byte[] CertificatePolicies(string policy)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(policy);
            using (writer.PushSequence())
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(JpkiProfile.CpsQualifierOid);
                writer.WriteCharacterString(UniversalTagNumber.IA5String, "https://example.invalid/jpki-dev/cps");
            }
        }

        return writer.Encode();
    }

    /// <summary>subjectAltName with the 基本4情報 as otherNames, each <c>[0] EXPLICIT UTF8String</c>.</summary>
    private static byte[] BasicFourInformation(CardHolder holder)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            OtherName(writer, JpkiProfile.NameOid, holder.Name);
            OtherName(writer, JpkiProfile.NameSubstituteOid, new string('0', holder.Name.Length));
            OtherName(writer, JpkiProfile.SexOid, JpkiProfile.SexCode(holder.Sex));
            OtherName(writer, JpkiProfile.BirthDateOid, JpkiProfile.BirthDate(holder.BirthDate));
            OtherName(writer, JpkiProfile.AddressOid, holder.Address);
            OtherName(writer, JpkiProfile.AddressSubstituteOid, new string('0', holder.Address.Length));
        }

        return writer.Encode();
    }

    private static void OtherName(AsnWriter writer, string oid, string value)
    {
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
        {
            writer.WriteObjectIdentifier(oid);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
            }
        }
    }

    private static (string Prefecture, string City) SplitAddress(string address)
    {
        var match = PrefectureAndCity().Match(address);
        return match.Success ? (match.Groups[1].Value, match.Groups[2].Value) : ("東京都", "千代田区");
    }

    [GeneratedRegex("^(.+?[都道府県])(.+?[市区町村])")]
    private static partial Regex PrefectureAndCity();

    [GeneratedRegex("^card-[0-9a-f]{8}$")]
    private static partial Regex CardId();

    private sealed record RevokedEntry(string SerialNumber, string Kind, DateTimeOffset RevokedAt, X509RevocationReason Reason);
}
