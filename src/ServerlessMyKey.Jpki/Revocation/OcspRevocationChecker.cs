using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.Oiw;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using ServerlessMyKey.Jpki.Asn1;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Trust;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>
/// Revocation by OCSP (RFC 6960): one POST per certificate to the responder configured for its kind
/// (<c>Jpki:Revocation:OcspResponders:*</c>), with a fresh nonce.
/// </summary>
/// <remarks>
/// A response is used only when: the response status is successful and of type id-pkix-ocsp-basic; it is
/// signed (RSA with SHA-256/384/512) by the issuing root itself, or by a delegated responder certificate
/// included in the response that the issuing root signed, that carries id-kp-OCSPSigning and that is
/// within its validity; its nonce equals the request's; it has a SingleResponse for the certificate's
/// CertID; thisUpdate is not in the future and nextUpdate (if any) has not passed, give or take the
/// clock skew. Good and revoked answers with a nextUpdate are cached per (issuer key id, serial) until
/// nextUpdate; an answer without nextUpdate is not cached. "unknown", and every failure (responder down,
/// timeout, HTTP error, garbage, wrong signer, stale, nonce mismatch), is <see cref="RevocationState.Unavailable"/>:
/// never good. Details name the check, never certificate contents.
/// </remarks>
public sealed class OcspRevocationChecker : IRevocationChecker
{
    /// <summary>Good/revoked answers remembered at most; expired ones are dropped first.</summary>
    public const int CacheCapacity = 100_000;

    private const int MaxResponseBytes = 1024 * 1024;
    private const string ExtendedKeyUsage = "2.5.29.37";

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly TimeSpan _clockSkew;
    private readonly TimeSpan _timeout;
    private readonly JpkiOcspResponderOptions _responders;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<(string IssuerKeyId, string Serial), CachedAnswer> _cache = new();
    private readonly ConcurrentDictionary<JpkiCertificateKind, OcspResponderStatus> _lastExchange = new();

    /// <param name="httpClient">Sends the requests; its own timeout should not be shorter than <c>Jpki:Revocation:OcspTimeoutSeconds</c>.</param>
    public OcspRevocationChecker(HttpClient httpClient, TimeProvider timeProvider, JpkiOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _time = timeProvider;
        _clockSkew = options.ClockSkew;
        _timeout = TimeSpan.FromSeconds(options.Revocation.OcspTimeoutSeconds);
        _responders = options.Revocation.OcspResponders;
        _slots = new SemaphoreSlim(options.Revocation.OcspMaxConcurrentRequests);
    }

    /// <summary>How many answers are cached now (for diagnostics and tests).</summary>
    public int CachedCount => _cache.Count;

    /// <summary>The last exchange with each certificate kind's responder, for health checks (no certificate contents).</summary>
    public IReadOnlyList<OcspResponderStatus> Status =>
    [
        .. new[] { JpkiCertificateKind.Authentication, JpkiCertificateKind.Signing }.Select(kind =>
            _lastExchange.TryGetValue(kind, out var last)
                ? last
                : new OcspResponderStatus(kind, _responders.For(kind) is not null, null, null, null)),
    ];

    public async ValueTask<RevocationResult> CheckAsync(JpkiCertificate certificate, JpkiTrustAnchor issuer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(issuer);
        var now = _time.GetUtcNow();
        var key = (issuer.KeyIdentifier, certificate.SerialNumber);
        if (_cache.TryGetValue(key, out var cached))
        {
            if (now < cached.NextUpdate)
            {
                return cached.Result with { CheckedAt = now };
            }

            _cache.TryRemove(KeyValuePair.Create(key, cached));
        }

        if (_responders.For(issuer.Kind) is not { } responder)
        {
            return Unavailable(now, $"No OCSP responder is configured for {issuer.Kind} certificates (Jpki:Revocation:OcspResponders:{issuer.Kind}).");
        }

        var (certificateId, serial) = Identify(certificate, issuer);
        var nonce = RandomNumberGenerator.GetBytes(16);
        byte[] request;
        try
        {
            request = BuildRequest(certificateId, nonce);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Unavailable(now, $"The OCSP request could not be built ({e.GetType().Name}).");
        }

        byte[]? response;
        string? failure;
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            (response, failure) = await SendAsync(responder, request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }

        now = _time.GetUtcNow();
        if (response is null)
        {
            RecordExchange(issuer.Kind, now, answered: false, failure);
            return Unavailable(now, failure!);
        }

        var (result, nextUpdate) = Evaluate(response, issuer, serial, nonce, now);
        RecordExchange(issuer.Kind, now, result.State is RevocationState.Good or RevocationState.Revoked, result.Detail);
        if (result.State is RevocationState.Good or RevocationState.Revoked && nextUpdate is { } until && until > now)
        {
            Remember(key, new CachedAnswer(result, until), now);
        }

        return result;
    }

    /// <summary>RFC 6960 §4.1.1 CertID with SHA-1 (what responders universally accept), and the serial it names.</summary>
    internal static (CertificateID Id, BigInteger Serial) Identify(JpkiCertificate certificate, JpkiTrustAnchor issuer)
    {
        var serial = new BigInteger(1, certificate.SerialNumberBytes.ToArray());
        return (new CertificateID(new CertID(
            new AlgorithmIdentifier(OiwObjectIdentifiers.IdSha1, DerNull.Instance),
            new DerOctetString(SHA1.HashData(issuer.Certificate.Subject.Span)),
            new DerOctetString(SHA1.HashData(issuer.Certificate.SubjectPublicKey.Span)),
            new DerInteger(serial))), serial);
    }

    internal static byte[] BuildRequest(CertificateID certificateId, byte[] nonce)
    {
        var generator = new OcspReqGenerator();
        generator.AddRequest(certificateId);
        var extensions = new X509ExtensionsGenerator();
        extensions.AddExtension(OcspObjectIdentifiers.PkixOcspNonce, false, new DerOctetString(nonce));
        generator.SetRequestExtensions(extensions.Generate());
        return generator.Generate().GetEncoded();
    }

    private async Task<(byte[]? Response, string? Failure)> SendAsync(Uri responder, byte[] request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var content = new ByteArrayContent(request);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/ocsp-request");
            using var message = new HttpRequestMessage(HttpMethod.Post, responder) { Content = content };
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/ocsp-response"));
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"The OCSP responder answered HTTP {(int)response.StatusCode}.");
            }

            if (response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                return (null, "The OCSP response is larger than 1 MiB.");
            }

            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                var chunk = new byte[16384];
                int read;
                while ((read = await stream.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxResponseBytes)
                    {
                        return (null, "The OCSP response is larger than 1 MiB.");
                    }

                    buffer.Write(chunk, 0, read);
                }

                return (buffer.ToArray(), null);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return (null, $"The OCSP responder did not answer within {_timeout.TotalSeconds:0} s (Jpki:Revocation:OcspTimeoutSeconds).");
        }
        catch (HttpRequestException e)
        {
            return (null, $"The OCSP responder could not be reached ({e.HttpRequestError}).");
        }
        catch (IOException)
        {
            return (null, "The OCSP response could not be read.");
        }
    }

    internal (RevocationResult Result, DateTimeOffset? NextUpdate) Evaluate(byte[] encoded, JpkiTrustAnchor issuer, BigInteger serial, byte[] nonce, DateTimeOffset now)
    {
        BasicOcspResp basic;
        try
        {
            var response = new OcspResp(encoded);
            if (response.Status != OcspRespStatus.Successful)
            {
                return (Unavailable(now, $"The OCSP responder answered status {response.Status}, not successful."), null);
            }

            if (response.GetResponseObject() is not BasicOcspResp parsed)
            {
                return (Unavailable(now, "The OCSP response is not a basic OCSP response."), null);
            }

            basic = parsed;
            if (basic.SignatureAlgorithm.Parameters is not (null or DerNull))
            {
                return (Unavailable(now, SignatureParametersNotNull), null);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (Unavailable(now, "The OCSP response is not a DER-encoded OCSPResponse."), null);
        }

        try
        {
            if (!IsSignedByIssuerOrDelegate(basic, issuer, now))
            {
                return (Unavailable(now, "The OCSP response is not signed by the issuing root or a responder it authorized (id-kp-OCSPSigning)."), null);
            }

            if (!NonceMatches(basic, nonce))
            {
                return (Unavailable(now, "The OCSP response's nonce does not match the request's."), null);
            }

            var single = basic.Responses.FirstOrDefault(r => Matches(r.GetCertID(), serial, issuer));
            if (single is null)
            {
                return (Unavailable(now, "The OCSP response has no answer for the requested certificate."), null);
            }

            var thisUpdate = new DateTimeOffset(DateTime.SpecifyKind(single.ThisUpdate, DateTimeKind.Utc));
            DateTimeOffset? nextUpdate = single.NextUpdate is { } next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : null;
            if (thisUpdate > now + _clockSkew)
            {
                return (Unavailable(now, $"The OCSP response is not yet valid (thisUpdate {thisUpdate:O})."), null);
            }

            if (nextUpdate is { } until && now - _clockSkew > until)
            {
                return (Unavailable(now, $"The OCSP response is stale (nextUpdate {until:O})."), null);
            }

            var producedAt = new DateTimeOffset(DateTime.SpecifyKind(basic.ProducedAt, DateTimeKind.Utc));
            return single.GetCertStatus() switch
            {
                null => (RevocationResult.Good(RevocationResult.OcspSource, now, producedAt) with { CoversExpiredSince = ArchiveCutoff(single) }, nextUpdate),
                RevokedStatus revoked => (RevocationResult.Revoked(
                    RevocationResult.OcspSource,
                    now,
                    producedAt,
                    new DateTimeOffset(DateTime.SpecifyKind(revoked.RevocationTime, DateTimeKind.Utc)),
                    revoked.HasRevocationReason ? (X509RevocationReason)revoked.RevocationReason : null), nextUpdate),
                UnknownStatus => (Unavailable(now, "The OCSP responder does not know the certificate (status unknown)."), null),
                _ => (Unavailable(now, "The OCSP response has an unrecognized certificate status."), null),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (Unavailable(now, $"The OCSP response could not be evaluated ({e.GetType().Name})."), null);
        }
    }

    // RFC 6960 §4.4.4: ArchiveCutoff ::= GeneralizedTime, a singleResponse extension; null when absent.
    private static DateTimeOffset? ArchiveCutoff(SingleResp single)
    {
        var value = single.SingleExtensions?.GetExtension(new DerObjectIdentifier(Oids.OcspArchiveCutoff))?.Value.GetOctets();
        if (value is null)
        {
            return null;
        }

        var reader = new System.Formats.Asn1.AsnReader(value, System.Formats.Asn1.AsnEncodingRules.DER);
        var cutoff = reader.ReadGeneralizedTime();
        reader.ThrowIfNotEmpty();
        return cutoff;
    }

    // The response's signatureAlgorithm is outside what is signed, and only its OID was read, so any element in
    // place of its NULL parameters (an empty OCTET STRING, a context tag…) still verified; RSA PKCS#1 v1.5 has NULL
    // or absent parameters (RFC 4055 §5). The 100,000-case fuzz run found it.
    internal const string SignatureParametersNotNull = "The OCSP response's signature algorithm has parameters other than NULL.";

    // RFC 6960 §4.2.2.2: the CA that issued the certificate, or a responder whose certificate that CA
    // issued with id-kp-OCSPSigning. Trusted local responders are not supported.
    private bool IsSignedByIssuerOrDelegate(BasicOcspResp basic, JpkiTrustAnchor issuer, DateTimeOffset now)
    {
        var tbs = basic.GetTbsResponseData();
        var signature = basic.GetSignature();
        var algorithm = basic.SignatureAlgorithm.Algorithm.Id;
        if (issuer.VerifySignature(tbs, signature, algorithm))
        {
            return true;
        }

        foreach (var responder in basic.GetCerts() ?? [])
        {
            if (IsAuthorizedResponder(responder, issuer, now) && VerifyWithKey(responder, tbs, signature, algorithm))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsAuthorizedResponder(BcCertificate responder, JpkiTrustAnchor issuer, DateTimeOffset now)
    {
        if (!issuer.VerifySignature(responder.GetTbsCertificate(), responder.GetSignature(), responder.SignatureAlgorithm.Algorithm.Id))
        {
            return false;
        }

        var notBefore = new DateTimeOffset(DateTime.SpecifyKind(responder.NotBefore, DateTimeKind.Utc));
        var notAfter = new DateTimeOffset(DateTime.SpecifyKind(responder.NotAfter, DateTimeKind.Utc));
        if (now + _clockSkew < notBefore || now - _clockSkew > notAfter)
        {
            return false;
        }

        var usage = responder.GetExtensionValue(new DerObjectIdentifier(ExtendedKeyUsage));
        return usage is not null
            && Org.BouncyCastle.Asn1.X509.ExtendedKeyUsage.GetInstance(Asn1Object.FromByteArray(usage.GetOctets()))
                .HasKeyPurposeId(KeyPurposeID.id_kp_OCSPSigning);
    }

    private static bool VerifyWithKey(BcCertificate responder, byte[] signed, byte[] signature, string algorithm)
    {
        if (JpkiTrustAnchor.RsaSignatureHash(algorithm) is not { } name)
        {
            return false;
        }

        using var key = RSA.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(responder.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded(), out _);
        }
        catch (CryptographicException)
        {
            return false;
        }

        return key.VerifyData(signed, signature, name, RSASignaturePadding.Pkcs1);
    }

    // RFC 8954: the response's nonce extension must carry the request's nonce. Some responders put the
    // raw octets into extnValue instead of an OCTET STRING; both are accepted.
    private static bool NonceMatches(BasicOcspResp basic, byte[] nonce)
    {
        var value = basic.GetExtensionValue(OcspObjectIdentifiers.PkixOcspNonce)?.GetOctets();
        if (value is null)
        {
            return false;
        }

        return value.AsSpan().SequenceEqual(new DerOctetString(nonce).GetEncoded()) || value.AsSpan().SequenceEqual(nonce);
    }

    // The responder may answer with SHA-1 or SHA-256 whatever was asked: compare the serial and the
    // issuer's name and key hashes under the answer's algorithm.
    private static bool Matches(CertificateID answered, BigInteger serial, JpkiTrustAnchor issuer)
    {
        Func<ReadOnlySpan<byte>, byte[]>? hash = answered.HashAlgOid switch
        {
            "1.3.14.3.2.26" => SHA1.HashData,
            Oids.Sha256 => SHA256.HashData,
            _ => null,
        };
        return hash is not null
            && answered.SerialNumber.Equals(serial)
            && answered.GetIssuerNameHash().AsSpan().SequenceEqual(hash(issuer.Certificate.Subject.Span))
            && answered.GetIssuerKeyHash().AsSpan().SequenceEqual(hash(issuer.Certificate.SubjectPublicKey.Span));
    }

    private void Remember((string, string) key, CachedAnswer answer, DateTimeOffset now)
    {
        if (_cache.Count >= CacheCapacity)
        {
            foreach (var entry in _cache)
            {
                if (entry.Value.NextUpdate <= now)
                {
                    _cache.TryRemove(entry);
                }
            }

            if (_cache.Count >= CacheCapacity)
            {
                return;
            }
        }

        _cache[key] = answer;
    }

    private void RecordExchange(JpkiCertificateKind kind, DateTimeOffset at, bool answered, string? failure) =>
        _lastExchange.AddOrUpdate(
            kind,
            _ => new OcspResponderStatus(kind, true, at, answered ? at : null, answered ? null : failure),
            (_, previous) => previous with { LastAttemptAt = at, LastAnswerAt = answered ? at : previous.LastAnswerAt, LastFailure = answered ? null : failure });

    private static RevocationResult Unavailable(DateTimeOffset now, string detail) =>
        RevocationResult.Unavailable(RevocationResult.OcspSource, now, detail);

    private sealed record CachedAnswer(RevocationResult Result, DateTimeOffset NextUpdate);
}

/// <summary>
/// The last exchange with the OCSP responder of one certificate kind: when it was last asked, when it
/// last gave a usable answer (good or revoked, correctly signed and fresh), and why the last attempt
/// failed when it did.
/// </summary>
public sealed record OcspResponderStatus(
    JpkiCertificateKind Kind,
    bool Configured,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? LastAnswerAt,
    string? LastFailure);
