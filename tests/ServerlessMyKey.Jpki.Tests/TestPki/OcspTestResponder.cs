using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.Security;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;
using BcCertificateParser = Org.BouncyCastle.X509.X509CertificateParser;

namespace ServerlessMyKey.Jpki.Tests.TestPki;

/// <summary>What the test responder says; each test changes one thing with <c>with</c>.</summary>
internal sealed record OcspAnswer
{
    /// <summary>Serials (hex, upper case) the responder reports revoked, with the reason.</summary>
    public Dictionary<string, (DateTimeOffset RevokedAt, X509RevocationReason? Reason)> Revoked { get; init; } = [];

    /// <summary>Serials the responder does not know.</summary>
    public HashSet<string> Unknown { get; init; } = [];

    /// <summary>The archiveCutoff single extension (RFC 6960 §4.4.4), when set.</summary>
    public DateTimeOffset? ArchiveCutoff { get; init; }

    /// <summary>Signs with this key; null: the issuing root's key.</summary>
    public RSA? SigningKey { get; init; }

    /// <summary>Certificates put into the response (a delegated responder's).</summary>
    public IReadOnlyList<byte[]> Certificates { get; init; } = [];

    public TimeSpan ThisUpdateAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>nextUpdate relative to the responder's now; null: none.</summary>
    public TimeSpan? NextUpdateIn { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Echo the request's nonce (default), leave it out (null nonce with <see cref="EchoNonce"/> false) or send another.</summary>
    public bool EchoNonce { get; init; } = true;

    public byte[]? OtherNonce { get; init; }

    /// <summary>Answer CertIDs hashed with SHA-256 instead of the request's algorithm.</summary>
    public bool Sha256CertId { get; init; }

    /// <summary>Raw bytes instead of an OCSP response.</summary>
    public byte[]? Garbage { get; init; }

    public HttpStatusCode HttpStatus { get; init; } = HttpStatusCode.OK;

    public TimeSpan Delay { get; init; }

    /// <summary>Holds every answer until this many requests have been in flight at the same moment (0: no hold).</summary>
    public int HoldUntilInFlight { get; init; }

    public int OcspStatus { get; init; } = OcspRespStatus.Successful;
}

/// <summary>
/// An OCSP responder on loopback (HttpListener on 127.0.0.1, a free port) answering with BouncyCastle-built
/// responses for the development roots, per <see cref="Answer"/>, at the time of <see cref="Clock"/>.
/// </summary>
internal sealed class OcspTestResponder : IDisposable
{
    private readonly HttpListener _listener;
    private readonly IReadOnlyList<TestRoot> _roots;
    private readonly Task _loop;
    private readonly TaskCompletionSource _inFlightReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;
    private int _inFlight;
    private int _maxInFlight;

    public OcspTestResponder(TimeProvider clock, IReadOnlyList<TestRoot>? roots = null)
    {
        Clock = clock;
        _roots = roots ?? [DevelopmentPki.AuthenticationRoot, DevelopmentPki.SigningRoot];
        (_listener, Url) = Listen();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public TimeProvider Clock { get; }

    public OcspAnswer Answer { get; set; } = new();

    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>The most requests that were being answered at the same moment.</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);

    public string? LastContentType { get; private set; }

    public byte[]? LastNonce { get; private set; }

    /// <summary>A loopback port nothing listens on (for "responder down").</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>
    /// A loopback port that refuses connections for as long as the returned socket is held: bound but not
    /// listening, so no other process can start listening there meanwhile (a port merely seen free can be).
    /// </summary>
    public static Socket RefusingPort(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    // The port is free when looked at; another process can take it before the listener binds: take another.
    private static (HttpListener Listener, Uri Url) Listen()
    {
        for (var attempt = 1; ; attempt++)
        {
            var url = new Uri($"http://127.0.0.1:{FreePort()}/ocsp/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return (listener, url);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var max = Volatile.Read(ref _maxInFlight); inFlight > max; max = Volatile.Read(ref _maxInFlight))
        {
            Interlocked.CompareExchange(ref _maxInFlight, inFlight, max);
        }

        var answer = Answer;
        if (answer.HoldUntilInFlight > 0 && inFlight >= answer.HoldUntilInFlight)
        {
            _inFlightReached.TrySetResult();
        }

        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            LastContentType = context.Request.ContentType;
            if (answer.HoldUntilInFlight > 0)
            {
                await _inFlightReached.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            if (answer.Delay > TimeSpan.Zero)
            {
                await Task.Delay(answer.Delay);
            }

            var response = answer.Garbage ?? Respond(new OcspReq(body.ToArray()), answer);
            context.Response.StatusCode = (int)answer.HttpStatus;
            context.Response.ContentType = "application/ocsp-response";
            await context.Response.OutputStream.WriteAsync(response);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client gave up (timeout tests).
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    internal byte[] Respond(OcspReq request, OcspAnswer answer)
    {
        var nonce = request.GetExtensionValue(OcspObjectIdentifiers.PkixOcspNonce);
        var requestNonce = nonce is null ? null : Asn1OctetString.GetInstance(nonce.GetOctets()).GetOctets();
        LastNonce = requestNonce;
        if (answer.OcspStatus != OcspRespStatus.Successful)
        {
            return new OCSPRespGenerator().Generate(answer.OcspStatus, null).GetEncoded();
        }

        var now = Clock.GetUtcNow();
        var asked = request.GetRequestList()[0].GetCertID();
        var root = _roots.First(r => asked.MatchesIssuer(Parse(r.Der)));
        var signingKey = DotNetUtilities.GetRsaKeyPair(answer.SigningKey ?? root.Key);
        var generator = new BasicOcspRespGenerator(signingKey.Public);
        var id = answer.Sha256CertId ? new CertificateID(new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance), Parse(root.Der), asked.SerialNumber) : asked;
        var serial = Convert.ToHexString(asked.SerialNumber.ToByteArrayUnsigned());
        CertificateStatus? status = answer.Revoked.TryGetValue(serial, out var revoked)
            ? revoked.Reason is { } reason ? new RevokedStatus(revoked.RevokedAt.UtcDateTime, (int)reason) : new RevokedStatus(revoked.RevokedAt.UtcDateTime)
            : answer.Unknown.Contains(serial) ? new UnknownStatus() : CertificateStatus.Good;
        DateTime? nextUpdate = answer.NextUpdateIn is { } next ? (now + next).UtcDateTime : null;
        X509Extensions? singleExtensions = null;
        if (answer.ArchiveCutoff is { } cutoff)
        {
            var single = new X509ExtensionsGenerator();
            single.AddExtension(new DerObjectIdentifier("1.3.6.1.5.5.7.48.1.6"), false, new DerGeneralizedTime(cutoff.UtcDateTime));
            singleExtensions = single.Generate();
        }

        generator.AddResponse(id, status, (now - answer.ThisUpdateAge).UtcDateTime, nextUpdate, singleExtensions);
        var responseNonce = answer.OtherNonce ?? (answer.EchoNonce ? requestNonce : null);
        if (responseNonce is not null)
        {
            var extensions = new X509ExtensionsGenerator();
            extensions.AddExtension(OcspObjectIdentifiers.PkixOcspNonce, false, new DerOctetString(responseNonce));
            generator.SetResponseExtensions(extensions.Generate());
        }

        var basic = generator.Generate(
            new Asn1SignatureFactory("SHA256WITHRSA", signingKey.Private),
            [.. answer.Certificates.Select(Parse)],
            now.UtcDateTime);
        return new OCSPRespGenerator().Generate(OCSPRespGenerator.Successful, basic).GetEncoded();
    }

    private static BcCertificate Parse(byte[] der) => new BcCertificateParser().ReadCertificate(der);
}
