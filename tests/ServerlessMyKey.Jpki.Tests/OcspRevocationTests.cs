using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Ocsp;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Jpki.Verification;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests;

/// <summary>
/// Revocation through OCSP against a responder on loopback: a good answer signed by the issuing root is
/// the baseline; one mutation per test.
/// </summary>
public sealed class OcspRevocationTests : IDisposable
{
    private const string WrongSigner = "The OCSP response is not signed by the issuing root or a responder it authorized (id-kp-OCSPSigning).";

    private readonly FakeTimeProvider _time = new(Now);
    private readonly OcspTestResponder _responder;
    private readonly HttpClient _http = new();
    private readonly JpkiTrustAnchors _anchors = JpkiTrustAnchors.Create([AuthenticationRoot.ToAnchor(), SigningRoot.ToAnchor()], allowTestRoots: false);

    public OcspRevocationTests()
    {
        _responder = new OcspTestResponder(_time);
        Options = OptionsFor(_responder.Url);
        Checker = new OcspRevocationChecker(_http, _time, Options);
        Verifier = new JpkiCertificateVerifier(_anchors, Checker, _time, Options);
    }

    private JpkiOptions Options { get; }

    private OcspRevocationChecker Checker { get; }

    private JpkiCertificateVerifier Verifier { get; }

    public void Dispose()
    {
        _responder.Dispose();
        _http.Dispose();
    }

    [Fact]
    public async Task Good_answer_signed_by_the_issuing_root_verifies()
    {
        var verified = JpkiAssert.Succeeds(await VerifyAsync(LeafSpec.Authentication()));

        Assert.Equal(RevocationState.Good, verified.Revocation.State);
        Assert.Equal("ocsp", verified.Revocation.Source);
        Assert.Equal(Now, verified.Revocation.ProducedAt);
        Assert.Equal(1, _responder.RequestCount);
        Assert.Equal("application/ocsp-request", _responder.LastContentType);
        Assert.True(_responder.LastNonce is { Length: >= 16 });
    }

    [Fact]
    public async Task Good_answer_without_archive_cutoff_for_a_certificate_in_the_eligibility_grace_is_revocation_unavailable()
    {
        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyInGraceAsync(archiveCutoff: null));
    }

    [Fact]
    public async Task Good_answer_with_archive_cutoff_after_the_expiry_is_revocation_unavailable()
    {
        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyInGraceAsync(archiveCutoff: TimeSpan.FromDays(1)));
    }

    [Fact]
    public async Task Good_answer_with_archive_cutoff_at_the_expiry_verifies_in_the_eligibility_grace()
    {
        JpkiAssert.Succeeds(await VerifyInGraceAsync(archiveCutoff: TimeSpan.Zero));
    }

    [Fact]
    public async Task Signing_certificates_go_to_the_signing_responder()
    {
        using var signingResponder = new OcspTestResponder(_time);
        var options = Options with
        {
            Revocation = Options.Revocation with { OcspResponders = new() { Authentication = _responder.Url.ToString(), Signing = signingResponder.Url.ToString() } },
        };
        var verifier = new JpkiCertificateVerifier(_anchors, new OcspRevocationChecker(_http, _time, options), _time, options);

        JpkiAssert.Succeeds(await verifier.VerifyAsync(Issue(LeafSpec.Signing()), JpkiCertificateKind.Signing));

        Assert.Equal(1, signingResponder.RequestCount);
        Assert.Equal(0, _responder.RequestCount);
    }

    [Fact]
    public async Task Each_request_carries_a_new_nonce()
    {
        await VerifyAsync(LeafSpec.Authentication());
        var first = _responder.LastNonce;

        await VerifyAsync(LeafSpec.Authentication());

        Assert.NotEqual(first, _responder.LastNonce);
    }

    [Fact]
    public async Task Revoked_answer_reports_reason_and_time()
    {
        var spec = LeafSpec.Signing();
        _responder.Answer = new() { Revoked = { [Convert.ToHexString(spec.Serial)] = (Now.AddDays(-2), X509RevocationReason.KeyCompromise) } };

        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await VerifyAsync(spec));
        var status = await CheckAsync(spec);

        Assert.Equal(RevocationState.Revoked, status.State);
        Assert.Equal(X509RevocationReason.KeyCompromise, status.Reason);
        Assert.Equal(Now.AddDays(-2), status.RevokedAt);
        Assert.Equal("ocsp", status.Source);
    }

    [Fact]
    public async Task Revoked_without_a_reason_has_no_reason()
    {
        var spec = LeafSpec.Authentication();
        _responder.Answer = new() { Revoked = { [Convert.ToHexString(spec.Serial)] = (Now.AddDays(-1), null) } };

        var status = await CheckAsync(spec);

        Assert.Equal(RevocationState.Revoked, status.State);
        Assert.Null(status.Reason);
    }

    [Fact]
    public async Task Unknown_answer_fails_closed()
    {
        var spec = LeafSpec.Authentication();
        _responder.Answer = new() { Unknown = [Convert.ToHexString(spec.Serial)] };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(spec));

        Assert.Contains("unknown", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answer_with_a_sha256_cert_id_is_matched()
    {
        _responder.Answer = new() { Sha256CertId = true };

        JpkiAssert.Succeeds(await VerifyAsync(LeafSpec.Authentication()));
    }

    [Fact]
    public async Task Delegated_responder_issued_by_the_root_with_ocsp_signing_is_accepted()
    {
        _responder.Answer = new() { SigningKey = TestKeys.OcspResponder, Certificates = [OcspResponder(AuthenticationRoot, TestKeys.OcspResponder)] };

        JpkiAssert.Succeeds(await VerifyAsync(LeafSpec.Authentication()));
    }

    [Fact]
    public async Task Self_signed_responder_is_not_trusted()
    {
        _responder.Answer = new() { SigningKey = TestKeys.OcspResponder, Certificates = [OcspResponder(AuthenticationRoot, TestKeys.OcspResponder, selfSigned: true)] };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        Assert.Equal(WrongSigner, failure.Detail);
    }

    [Fact]
    public async Task Responder_without_the_ocsp_signing_eku_is_not_trusted()
    {
        _responder.Answer = new() { SigningKey = TestKeys.OcspResponder, Certificates = [OcspResponder(AuthenticationRoot, TestKeys.OcspResponder, ocspSigning: false)] };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        Assert.Equal(WrongSigner, failure.Detail);
    }

    [Fact]
    public async Task Responder_issued_by_the_other_purposes_root_is_not_trusted()
    {
        _responder.Answer = new() { SigningKey = TestKeys.OcspResponder, Certificates = [OcspResponder(SigningRoot, TestKeys.OcspResponder)] };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        Assert.Equal(WrongSigner, failure.Detail);
    }

    [Fact]
    public async Task Expired_responder_certificate_is_not_trusted()
    {
        _responder.Answer = new()
        {
            SigningKey = TestKeys.OcspResponder,
            Certificates = [OcspResponder(AuthenticationRoot, TestKeys.OcspResponder, notBefore: Now.AddDays(-60), notAfter: Now.AddDays(-1))],
        };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        Assert.Equal(WrongSigner, failure.Detail);
    }

    [Fact]
    public async Task Response_signed_by_a_key_it_does_not_name_is_not_trusted()
    {
        _responder.Answer = new() { SigningKey = TestKeys.Impostor };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        Assert.Equal(WrongSigner, failure.Detail);
    }

    [Fact]
    public async Task Stale_answer_is_unavailable()
    {
        _responder.Answer = new() { ThisUpdateAge = TimeSpan.FromHours(2), NextUpdateIn = TimeSpan.FromHours(-1) };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        Assert.StartsWith("The OCSP response is stale", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answer_past_next_update_within_the_clock_skew_is_used()
    {
        _responder.Answer = new() { ThisUpdateAge = TimeSpan.FromMinutes(20), NextUpdateIn = TimeSpan.FromMinutes(-2) };

        JpkiAssert.Succeeds(await VerifyAsync(LeafSpec.Authentication()));
        Assert.Equal(0, Checker.CachedCount);
    }

    [Fact]
    public async Task Answer_from_the_future_is_unavailable()
    {
        _responder.Answer = new() { ThisUpdateAge = TimeSpan.FromHours(-1) };

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));
    }

    [Fact]
    public async Task Nonce_mismatch_is_unavailable()
    {
        _responder.Answer = new() { OtherNonce = new byte[16] };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        Assert.Equal("The OCSP response's nonce does not match the request's.", failure.Detail);
    }

    [Fact]
    public async Task Missing_nonce_is_unavailable()
    {
        _responder.Answer = new() { EchoNonce = false };

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));
    }

    [Fact]
    public async Task Responder_down_is_unavailable()
    {
        using var refusing = OcspTestResponder.RefusingPort(out var port);
        var options = OptionsFor(new Uri($"http://127.0.0.1:{port}/ocsp"));
        var verifier = new JpkiCertificateVerifier(_anchors, new OcspRevocationChecker(_http, _time, options), _time, options);

        var result = await verifier.VerifyAsync(Issue(LeafSpec.Authentication()), JpkiCertificateKind.Authentication);

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
        Assert.StartsWith("The OCSP responder could not be reached", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_is_unavailable()
    {
        _responder.Answer = new() { Garbage = "<html>maintenance</html>"u8.ToArray() };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        Assert.Equal("The OCSP response is not a DER-encoded OCSPResponse.", failure.Detail);
    }

    [Theory]
    [InlineData(0x04)]
    [InlineData(0x85)]
    public void Signature_algorithm_with_parameters_other_than_null_is_unavailable(byte tag)
    {
        // The inputs the 100,000-case fuzz run answered Good: a good response whose (unsigned) signatureAlgorithm
        // carries an empty OCTET STRING or an empty [5] where its NULL was, the signature unchanged.
        var issuer = _anchors.All.Single(anchor => anchor.Kind == JpkiCertificateKind.Authentication);
        var (id, serial) = OcspRevocationChecker.Identify(JpkiCertificate.Parse(Issue(LeafSpec.Authentication())), issuer);
        var nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var good = _responder.Respond(new OcspReq(OcspRevocationChecker.BuildRequest(id, nonce)), new OcspAnswer());
        var signature = good.AsSpan().IndexOf(((BasicOcspResp)new OcspResp(good).GetResponseObject()).GetSignature());
        var nullTag = signature - 1 - 4 - 2; // before the signature: its unused-bits octet, the BIT STRING header (03 82 xx xx), 05 00
        Assert.Equal([0x05, 0x00, 0x03, 0x82], good[nullTag..(nullTag + 4)]);
        Assert.Equal(RevocationState.Good, Checker.Evaluate(good, issuer, serial, nonce, Now).Result.State);
        var malformed = (byte[])good.Clone();
        malformed[nullTag] = tag;

        var result = Checker.Evaluate(malformed, issuer, serial, nonce, Now).Result;

        Assert.Equal((RevocationState.Unavailable, OcspRevocationChecker.SignatureParametersNotNull), (result.State, result.Detail));
    }

    [Fact]
    public async Task Http_error_is_unavailable()
    {
        _responder.Answer = new() { HttpStatus = HttpStatusCode.ServiceUnavailable };

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        Assert.Equal("The OCSP responder answered HTTP 503.", failure.Detail);
    }

    [Fact]
    public void Responder_status_before_any_exchange_is_configured_and_unasked()
    {
        var authentication = Checker.Status.Single(r => r.Kind == JpkiCertificateKind.Authentication);

        Assert.True(authentication.Configured);
        Assert.Null(authentication.LastAttemptAt);
        Assert.Null(authentication.LastAnswerAt);
        Assert.Null(authentication.LastFailure);
    }

    [Fact]
    public async Task Responder_status_keeps_the_last_answer_and_the_last_failure()
    {
        JpkiAssert.Succeeds(await VerifyAsync(LeafSpec.Authentication()));
        var answered = Checker.Status.Single(r => r.Kind == JpkiCertificateKind.Authentication);
        Assert.Equal((Now, Now, (string?)null), (answered.LastAttemptAt, answered.LastAnswerAt, answered.LastFailure));

        _time.Advance(TimeSpan.FromMinutes(1));
        _responder.Answer = new() { HttpStatus = HttpStatusCode.ServiceUnavailable };
        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));

        var failed = Checker.Status.Single(r => r.Kind == JpkiCertificateKind.Authentication);
        Assert.Equal(Now + TimeSpan.FromMinutes(1), failed.LastAttemptAt);
        Assert.Equal(Now, failed.LastAnswerAt);
        Assert.Equal("The OCSP responder answered HTTP 503.", failed.LastFailure);
    }

    [Fact]
    public async Task Unsuccessful_ocsp_status_is_unavailable()
    {
        _responder.Answer = new() { OcspStatus = OcspRespStatus.TryLater };

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(LeafSpec.Authentication()));
    }

    [Fact]
    public async Task Slow_responder_times_out_as_unavailable()
    {
        var options = Options with { Revocation = Options.Revocation with { OcspTimeoutSeconds = 1 } };
        var verifier = new JpkiCertificateVerifier(_anchors, new OcspRevocationChecker(_http, _time, options), _time, options);
        _responder.Answer = new() { Delay = TimeSpan.FromSeconds(3) };

        var result = await verifier.VerifyAsync(Issue(LeafSpec.Authentication()), JpkiCertificateKind.Authentication);

        var failure = JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
        Assert.StartsWith("The OCSP responder did not answer within 1 s", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_are_cached_until_next_update()
    {
        var spec = LeafSpec.Authentication();
        var der = Issue(spec);
        JpkiAssert.Succeeds(await Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
        _responder.Answer = new() { Revoked = { [Convert.ToHexString(spec.Serial)] = (Now, X509RevocationReason.Superseded) } };
        _time.Advance(TimeSpan.FromMinutes(14));

        var cached = JpkiAssert.Succeeds(await Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));

        Assert.Equal(1, _responder.RequestCount);
        Assert.Equal(_time.GetUtcNow(), cached.Revocation.CheckedAt);
        _time.Advance(TimeSpan.FromMinutes(1));
        JpkiAssert.Fails(JpkiErrorCode.CertificateRevoked, await Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication));
        Assert.Equal(2, _responder.RequestCount);
    }

    [Fact]
    public async Task Answer_without_next_update_is_not_cached()
    {
        var spec = LeafSpec.Authentication();
        _responder.Answer = new() { NextUpdateIn = null };

        JpkiAssert.Succeeds(await VerifyAsync(spec));
        JpkiAssert.Succeeds(await VerifyAsync(spec));

        Assert.Equal(2, _responder.RequestCount);
    }

    [Fact]
    public async Task Unavailable_answers_are_not_cached()
    {
        var spec = LeafSpec.Authentication();
        _responder.Answer = new() { Unknown = [Convert.ToHexString(spec.Serial)] };
        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, await VerifyAsync(spec));
        _responder.Answer = new();

        JpkiAssert.Succeeds(await VerifyAsync(spec));

        Assert.Equal(2, _responder.RequestCount);
    }

    [Fact]
    public async Task Kind_without_a_responder_is_unavailable()
    {
        var options = Options with { Revocation = Options.Revocation with { OcspResponders = new() { Authentication = _responder.Url.ToString() } } };
        var verifier = new JpkiCertificateVerifier(_anchors, new OcspRevocationChecker(_http, _time, options), _time, options);

        var result = await verifier.VerifyAsync(Issue(LeafSpec.Signing()), JpkiCertificateKind.Signing);

        JpkiAssert.Fails(JpkiErrorCode.RevocationUnavailable, result);
        Assert.Equal(0, _responder.RequestCount);
    }

    [Fact]
    public async Task Factory_builds_the_ocsp_checker_with_the_injected_client()
    {
        var checker = RevocationCheckerFactory.Create(Options, _anchors, _time, allowDevelopmentOnlyModes: false, httpClient: _http);
        var verifier = new JpkiCertificateVerifier(_anchors, checker, _time, Options);

        JpkiAssert.Succeeds(await verifier.VerifyAsync(Issue(LeafSpec.Authentication()), JpkiCertificateKind.Authentication));

        Assert.IsType<OcspRevocationChecker>(checker);
        Assert.Equal(1, _responder.RequestCount);
    }

    [Theory]
    [InlineData("ocsp.example/responder")]
    [InlineData("ftp://ocsp.example/")]
    [InlineData("file:///etc/passwd")]
    public void Responder_must_be_an_absolute_http_url(string url)
    {
        var options = new JpkiOptions { Revocation = new() { Mode = RevocationMode.Ocsp, OcspResponders = new() { Signing = url } } };

        var problem = Assert.Single(options.Validate());

        Assert.Equal("Jpki:Revocation:OcspResponders:Signing must be an absolute http or https URL.", problem);
        Assert.Throws<JpkiConfigurationException>(() => RevocationCheckerFactory.Create(options, _anchors, _time, allowDevelopmentOnlyModes: false));
    }

    [Fact]
    public void Ocsp_mode_without_responders_is_refused()
    {
        var options = new JpkiOptions { Revocation = new() { Mode = RevocationMode.Ocsp } };

        Assert.Contains("Jpki:Revocation:Mode is Ocsp but Jpki:Revocation:OcspResponders names no responder.", options.Validate());
    }

    [Fact]
    public async Task No_more_requests_than_the_limit_are_sent_at_once()
    {
        // A bulk status job checks many certificates at a time; the responder sees at most the limit
        // (and each answer still carries its own request's nonce).
        var options = Options with { Revocation = Options.Revocation with { OcspMaxConcurrentRequests = 2 } };
        _responder.Answer = new OcspAnswer { HoldUntilInFlight = 2 }; // answers wait until two requests overlap

        var checker = new OcspRevocationChecker(_http, _time, options);
        var anchor = _anchors.ForKind(JpkiCertificateKind.Authentication).Single();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => checker.CheckAsync(JpkiCertificate.Parse(Issue(LeafSpec.Authentication())), anchor).AsTask()));

        Assert.All(results, result => Assert.True(result.State == RevocationState.Good, result.Detail));
        Assert.Equal(8, _responder.RequestCount);
        Assert.Equal(2, _responder.MaxConcurrentRequests);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Ocsp_concurrency_is_bounded(int requests)
    {
        var options = new JpkiOptions { Revocation = new() { OcspMaxConcurrentRequests = requests } };

        Assert.Contains("Jpki:Revocation:OcspMaxConcurrentRequests must be between 1 and 256.", options.Validate());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    public void Ocsp_timeout_is_bounded(int seconds)
    {
        var options = new JpkiOptions { Revocation = new() { OcspTimeoutSeconds = seconds } };

        Assert.Contains("Jpki:Revocation:OcspTimeoutSeconds must be between 1 and 60.", options.Validate());
    }

    // The longest timeout allowed: a loaded machine must not turn a slow answer into "unavailable" (the
    // timeout's own test sets 1 s against a responder that waits 3 s).
    private static JpkiOptions OptionsFor(Uri responder) => new()
    {
        Revocation = new()
        {
            Mode = RevocationMode.Ocsp,
            OcspResponders = new() { Authentication = responder.ToString(), Signing = responder.ToString() },
            OcspTimeoutSeconds = 60,
        },
    };

    // A certificate expired 10 days ago, verified with the 3-month grace; archiveCutoff relative to its notAfter.
    private ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyInGraceAsync(TimeSpan? archiveCutoff)
    {
        var spec = LeafSpec.Authentication() with { NotBefore = Now.AddMonths(-6), NotAfter = Now.AddDays(-10) };
        _responder.Answer = new() { ArchiveCutoff = spec.NotAfter + archiveCutoff };
        return Verifier.VerifyAsync(Issue(spec), spec.Kind, ExpiryGrace.OfMonths(3));
    }

    private ValueTask<JpkiResult<JpkiVerifiedCertificate>> VerifyAsync(LeafSpec spec) =>
        Verifier.VerifyAsync(Issue(spec), spec.Kind);

    private ValueTask<RevocationResult> CheckAsync(LeafSpec spec) =>
        Checker.CheckAsync(JpkiCertificate.Parse(Issue(spec)), _anchors.ForKind(spec.Kind).Single());
}
