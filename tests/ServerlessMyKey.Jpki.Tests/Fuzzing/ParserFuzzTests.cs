using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using CsCheck;
using Org.BouncyCastle.Ocsp;
using ServerlessMyKey.Jpki.Certificates;
using ServerlessMyKey.Jpki.Revocation;
using ServerlessMyKey.Jpki.Signatures;
using ServerlessMyKey.Jpki.Tests.TestPki;
using ServerlessMyKey.Jpki.Trust;
using ServerlessMyKey.Testing;
using Xunit.Abstractions;
using static ServerlessMyKey.Jpki.Tests.TestPki.DevelopmentPki;

namespace ServerlessMyKey.Jpki.Tests.Fuzzing;

/// <summary>
/// Mutated certificates, CRLs, CMS SignedData and OCSP responses fed to the JPKI library (see
/// <see cref="DerMutations"/>): each parser answers only with its closed set of outcomes — a
/// <see cref="JpkiResult"/>, <see cref="InvalidDataException"/> for a CRL, a
/// <see cref="RevocationResult"/> for OCSP — never another exception, never a hang (a case that has not
/// returned after a minute fails). CI runs <see cref="DefaultCases"/> per parser; set
/// <c>SERVERLESSMYKEY_FUZZ_CASES</c> for the long run (README, "Fuzzing the parsers").
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int DefaultCases = 250;
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(1);
    private static readonly byte[] Content = "契約書 — fuzz"u8.ToArray();

    private readonly VerifierHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private static int Cases =>
        int.TryParse(Environment.GetEnvironmentVariable("SERVERLESSMYKEY_FUZZ_CASES"), out var cases) && cases > 0 ? cases : DefaultCases;

    // One thread in CI (a shared machine); all cores in the long run.
    private static int Threads => Cases > DefaultCases ? -1 : 1;

    [Fact]
    public async Task Certificates_give_a_jpki_result_and_nothing_else()
    {
        var seed = Issue(LeafSpec.Authentication());
        JpkiAssert.Succeeds(await _harness.Verifier.VerifyAsync(seed, JpkiCertificateKind.Authentication));

        var tally = new OutcomeTally(output, "certificates", seed);
        await DerMutations.Of(seed).SampleSeededAsync(
            der => ReturnsAsync(async () =>
            {
                JpkiCertificate.TryParse(der, out _);
                var result = await _harness.Verifier.VerifyAsync(der, JpkiCertificateKind.Authentication);
                var status = await _harness.Verifier.CheckStatusAsync(der);
                return (result.Succeeded || Enum.IsDefined(result.Failure.Code)) && Enum.IsDefined(status.State) && tally.Count(der, Outcome(result.Failure));
            }),
            iter: Cases,
            threads: Threads,
            random: Cases > DefaultCases);
        tally.Report();
    }

    [Fact]
    public async Task Crls_parse_or_throw_invalid_data()
    {
        var anchors = JpkiTrustAnchors.Create([AuthenticationRoot.ToAnchor()]);
        var seed = CrlWriter.Write(AuthenticationRoot, Now, Now.AddDays(1), [[0x01], [0x02, 0x03], [0x7F, 0x00, 0x00, 0x01]], X509RevocationReason.KeyCompromise);
        Assert.Equal(3, CertificateRevocationList.Parse(seed, anchors).Revoked.Count);

        var tally = new OutcomeTally(output, "CRLs", seed);
        await DerMutations.Of(seed).SampleSeededAsync(
            der => ReturnsAsync(() =>
            {
                try
                {
                    CertificateRevocationList.Parse(der, anchors);
                    return Task.FromResult(tally.Count(der, "parsed"));
                }
                catch (InvalidDataException)
                {
                    return Task.FromResult(tally.Count(der, "invalid_data"));
                }
            }),
            iter: Cases,
            threads: Threads,
            random: Cases > DefaultCases);
        tally.Report();
    }

    [Fact]
    public async Task Cms_signatures_give_a_jpki_result_and_nothing_else()
    {
        var spec = LeafSpec.Signing();
        var certificate = X509CertificateLoader.LoadCertificate(Issue(spec)).CopyWithPrivateKey((RSA)spec.Key);
        var signed = new SignedCms(new ContentInfo(Content), detached: true);
        signed.ComputeSignature(new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate) { SignedAttributes = { new Pkcs9SigningTime(Now.AddHours(-1).UtcDateTime) } });
        var seed = signed.Encode();
        var verifier = new JpkiCmsVerifier(_harness.Verifier);
        JpkiAssert.Succeeds(await verifier.VerifyAsync(seed, Content));

        var tally = new OutcomeTally(output, "CMS signatures", seed);
        await Gen.Select(DerMutations.Of(seed), Gen.Bool).SampleSeededAsync(
            (cms, detached) => ReturnsAsync(async () =>
            {
                var result = await verifier.VerifyAsync(cms, detached ? Content : null);
                return (result.Succeeded || Enum.IsDefined(result.Failure.Code)) && tally.Count(cms, Outcome(result.Failure));
            }),
            iter: Cases,
            threads: Threads,
            random: Cases > DefaultCases);
        tally.Report();
    }

    [Fact]
    public async Task Cms_containers_decode_or_throw_asn_content_and_verify_to_a_jpki_result()
    {
        // The container decoder of the verifier (CmsSignedData), seeded with what SignedCms never writes:
        // a GeneralizedTime signingTime and a second certificate in the bag.
        var attributes = CmsWriter.StandardAttributes(Content, Now.AddHours(-1));
        attributes[1] = new(CmsWriter.SigningTimeOid, CmsWriter.GeneralizedTime(Now.AddHours(-1)));
        var seed = CmsWriter.Write(LeafSpec.Signing(), Content, detached: false, attributes, extraCertificates: [Issue(LeafSpec.Signing())]);
        var verifier = new JpkiCmsVerifier(_harness.Verifier);
        JpkiAssert.Succeeds(await verifier.VerifyAsync(seed, null));

        var tally = new OutcomeTally(output, "CMS containers", seed);
        await DerMutations.Of(seed).SampleSeededAsync(
            cms => ReturnsAsync(async () =>
            {
                var decoding = "decoded";
                try
                {
                    var decoded = CmsSignedData.Decode(cms);
                    foreach (var signer in decoded.Signers)
                    {
                        signer.ReadSignedAttributes();
                    }
                }
                catch (System.Formats.Asn1.AsnContentException)
                {
                    decoding = "asn_content";
                }

                var result = await verifier.VerifyAsync(cms, null);
                return (result.Succeeded || Enum.IsDefined(result.Failure.Code)) && tally.Count(cms, $"{decoding}/{Outcome(result.Failure)}");
            }),
            iter: Cases,
            threads: Threads,
            random: Cases > DefaultCases);
        tally.Report();
    }

    [Fact]
    public async Task Ocsp_responses_give_a_revocation_result_and_nothing_else()
    {
        var issuer = _harness.Anchors.All.Single(anchor => anchor.Kind == JpkiCertificateKind.Authentication);
        var certificate = JpkiCertificate.Parse(Issue(LeafSpec.Authentication()));
        var (id, serial) = OcspRevocationChecker.Identify(certificate, issuer);
        var nonce = RandomNumberGenerator.GetBytes(16);
        using var responder = new OcspTestResponder(_harness.Time);
        var seed = responder.Respond(new OcspReq(OcspRevocationChecker.BuildRequest(id, nonce)), new OcspAnswer());
        using var http = new HttpClient();
        var checker = new OcspRevocationChecker(http, _harness.Time, _harness.Options);
        Assert.Equal(RevocationState.Good, checker.Evaluate(seed, issuer, serial, nonce, Now).Result.State);

        var tally = new OutcomeTally(output, "OCSP responses", seed);
        await DerMutations.Of(seed).SampleSeededAsync(
            der => ReturnsAsync(() =>
            {
                var state = checker.Evaluate(der, issuer, serial, nonce, Now).Result.State;
                return Task.FromResult(state is RevocationState.Good or RevocationState.Revoked or RevocationState.Unavailable && tally.Count(der, state.ToString()));
            }),
            iter: Cases,
            threads: Threads,
            random: Cases > DefaultCases);
        tally.Report();
    }

    private static string Outcome(JpkiFailure? failure) => failure?.CodeName ?? "succeeded";

    // Runs one case off the test thread, so that a hang fails the case (and names the input) instead of the run.
    private static Task<bool> ReturnsAsync(Func<Task<bool>> parse) => Task.Run(parse).WaitAsync(Hang);
}
