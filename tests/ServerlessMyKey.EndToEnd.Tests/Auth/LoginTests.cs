using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using Xunit;

namespace ServerlessMyKey.EndToEnd.Tests.Auth;

/// <summary>
/// JPKI login through the DevHost over HTTP with virtual cards of the development PKI: a valid
/// baseline, then one thing broken per test, asserting the exact code.
/// </summary>
public sealed class LoginTests(LoginFixture app) : IClassFixture<LoginFixture>
{
    private static readonly CardHolder Holder = new("佐藤　一郎", "北海道札幌市中央区北1条西2丁目", new DateOnly(1978, 11, 3), "male");

    private MyKeyApiClient Client => new(app.Http);

    private Task<HttpResponseMessage> PostSessionAsync(object body) => app.Http.PostAsJsonAsync("api/auth/sessions", body);

    private async Task<HttpResponseMessage> LoginWithAsync(VirtualCard card, Func<byte[], byte[]>? sign = null, X509Certificate2? certificate = null)
    {
        var (challengeId, challenge) = await Client.CreateChallengeAsync();
        return await PostSessionAsync(new
        {
            challengeId,
            certificate = Convert.ToBase64String((certificate ?? card.AuthenticationCertificate).RawData),
            signature = Convert.ToBase64String((sign ?? card.SignWithAuthenticationKey)(challenge)),
        });
    }

    private async Task<HttpResponseMessage> PostChallengeAsync(object body, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/auth/challenges") { Content = JsonContent.Create(body) };
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        return await app.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_challenge_is_for_login_unless_a_reader_asks_for_its_own_purpose()
    {
        var login = await (await PostChallengeAsync(new { })).Content.ReadFromJsonAsync<JsonElement>();
        var reader = await PostChallengeAsync(new { purpose = "ticket_gate" }, LoginFixture.PortalKey);

        Assert.Equal("login", login.GetProperty("purpose").GetString());
        Assert.Equal(HttpStatusCode.Created, reader.StatusCode);
        Assert.Equal("ticket_gate", (await reader.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purpose").GetString());
    }

    [Fact]
    public async Task A_readers_challenge_without_the_readers_key_is_unauthenticated()
    {
        await ProblemAssert.ExactAsync(await PostChallengeAsync(new { purpose = "shelter_checkin" }), HttpStatusCode.Unauthorized, "unauthenticated");
        await ProblemAssert.ExactAsync(await PostChallengeAsync(new { purpose = "shelter_checkin" }, "not-a-key-of-anyone-0000000000"), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Theory]
    [InlineData("oidc")]
    [InlineData("LOGIN")]
    [InlineData("anything")]
    public async Task An_unknown_or_internal_purpose_is_invalid_request(string purpose)
    {
        await ProblemAssert.ExactAsync(await PostChallengeAsync(new { purpose }, LoginFixture.PortalKey), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Only_a_login_challenge_names_an_audience()
    {
        await ProblemAssert.ExactAsync(
            await PostChallengeAsync(new { purpose = "medical_checkin", audience = LoginFixture.PortalClient }, LoginFixture.PortalKey),
            HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_readers_proof_cannot_log_in_or_relink_and_is_spent_by_trying()
    {
        var card = app.Pki.IssueCard(Holder);
        var me = await Client.LoginAsync(card);
        var (challengeId, challenge) = await Client.CreateReaderChallengeAsync("ticket_gate", LoginFixture.PortalKey);
        var proof = MyKeyApiClient.LoginBody(card, challengeId, challenge, withIdentity: true);
        using var relink = new HttpRequestMessage(HttpMethod.Post, "api/auth/relink") { Content = JsonContent.Create(proof) };
        relink.Headers.Authorization = new AuthenticationHeaderValue("Bearer", me.GetProperty("accessToken").GetString());

        await ProblemAssert.ExactAsync(await app.Http.SendAsync(relink), HttpStatusCode.Conflict, "challenge_purpose_mismatch");
        await ProblemAssert.ExactAsync(await PostSessionAsync(proof), HttpStatusCode.Unauthorized, "challenge_already_used");
    }

    [Fact]
    public async Task Baseline_login_returns_a_MyKey_ID_and_token_and_the_same_ID_again()
    {
        var card = app.Pki.IssueCard(Holder);

        var first = await Client.LoginAsync(card);
        var second = await Client.LoginAsync(card);

        var myKeyId = first.GetProperty("myKeyId").GetString()!;
        Assert.Matches("^[A-Z0-9]{8}$", myKeyId);
        Assert.Equal(myKeyId, second.GetProperty("myKeyId").GetString());
        Assert.Equal("Bearer", first.GetProperty("tokenType").GetString());
        Assert.Equal(900, first.GetProperty("expiresIn").GetInt32());
        Assert.Equal("authentication", first.GetProperty("certificate").GetProperty("kind").GetString());
        Assert.Equal(card.AuthenticationCertificate.SerialNumber, first.GetProperty("certificate").GetProperty("serialNumber").GetString());
        Assert.NotEqual(myKeyId, (await Client.LoginAsync(app.Pki.IssueCard(Holder))).GetProperty("myKeyId").GetString());
    }

    [Fact]
    public async Task Token_opens_me_and_verifies_with_the_published_jwks()
    {
        var session = await Client.LoginAsync(app.Pki.IssueCard(Holder));
        var token = session.GetProperty("accessToken").GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Get, "api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await (await app.Http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(session.GetProperty("myKeyId").GetString(), me.GetProperty("myKeyId").GetString());

        var jwks = await app.Http.GetFromJsonAsync<JsonElement>("api/auth/jwks");
        var parts = token.Split('.');
        var kid = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement.GetProperty("kid").GetString();
        var key = jwks.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(key.GetProperty("x").GetString()!), Y = Base64Url.DecodeFromChars(key.GetProperty("y").GetString()!) },
        });
        Assert.True(ecdsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task Me_without_a_token_is_401()
    {
        await ProblemAssert.ExactAsync(await app.Http.GetAsync(new Uri("api/me", UriKind.Relative)), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Login_challenge_for_a_registered_client_puts_it_in_the_audience()
    {
        var session = await Client.LoginAsync(app.Pki.IssueCard(Holder), LoginFixture.PortalClient);
        var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(session.GetProperty("accessToken").GetString()!.Split('.')[1])).RootElement;

        Assert.Contains(LoginFixture.PortalClient, claims.GetProperty("aud").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task Challenge_for_an_unknown_client_is_400()
    {
        await ProblemAssert.ExactAsync(await app.Http.PostAsJsonAsync("api/auth/challenges", new { audience = "nobody" }), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Unknown_challenge_is_challenge_not_found()
    {
        var card = app.Pki.IssueCard(Holder);
        await ProblemAssert.ExactAsync(await PostSessionAsync(MyKeyApiClient.LoginBody(card, "ch_AAAAAAAAAAAAAAAAAAAAAA", new byte[32])), HttpStatusCode.Unauthorized, "challenge_not_found");
    }

    [Fact]
    public async Task Replayed_challenge_is_challenge_already_used()
    {
        var card = app.Pki.IssueCard(Holder);
        var (challengeId, challenge) = await Client.CreateChallengeAsync();
        var body = MyKeyApiClient.LoginBody(card, challengeId, challenge);

        Assert.Equal(HttpStatusCode.OK, (await PostSessionAsync(body)).StatusCode);
        await ProblemAssert.ExactAsync(await PostSessionAsync(body), HttpStatusCode.Unauthorized, "challenge_already_used");
    }

    [Fact]
    public async Task Concurrent_submissions_of_one_signed_challenge_give_exactly_one_session()
    {
        var card = app.Pki.IssueCard(Holder);
        var (challengeId, challenge) = await Client.CreateChallengeAsync();
        var body = MyKeyApiClient.LoginBody(card, challengeId, challenge);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostSessionAsync(body)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await ProblemAssert.ExactAsync(refused, HttpStatusCode.Unauthorized, "challenge_already_used");
        }
    }

    [Fact]
    public async Task Tampered_signature_is_signature_invalid()
    {
        var card = app.Pki.IssueCard(Holder);
        await ProblemAssert.ExactAsync(await LoginWithAsync(card, challenge =>
        {
            var signature = card.SignWithAuthenticationKey(challenge);
            signature[100] ^= 0x01;
            return signature;
        }), HttpStatusCode.Unauthorized, "signature_invalid");
    }

    [Fact]
    public async Task Sha1_digestinfo_from_an_older_client_is_refused_as_signature_invalid()
    {
        var card = app.Pki.IssueCard(Holder);
        using var key = card.AuthenticationCertificate.GetRSAPrivateKey()!;

        await ProblemAssert.ExactAsync(await LoginWithAsync(card, challenge => key.SignData(challenge, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1)), HttpStatusCode.Unauthorized, "signature_invalid");
    }

    [Fact]
    public async Task Signature_by_another_cards_key_is_signature_invalid()
    {
        var card = app.Pki.IssueCard(Holder);
        var other = app.Pki.IssueCard(Holder);

        await ProblemAssert.ExactAsync(await LoginWithAsync(card, other.SignWithAuthenticationKey), HttpStatusCode.Unauthorized, "signature_invalid");
    }

    [Fact]
    public async Task Signing_certificate_offered_for_login_is_certificate_wrong_kind()
    {
        var card = app.Pki.IssueCard(Holder);

        await ProblemAssert.ExactAsync(await LoginWithAsync(card, card.SignWithSigningKey, card.SigningCertificate), HttpStatusCode.Unauthorized, "certificate_wrong_kind");
    }

    [Fact]
    public async Task Card_of_an_untrusted_root_with_the_same_name_is_certificate_untrusted()
    {
        // Another development PKI: identical DNs, different keys. Trust must follow keys, not names.
        var folder = Directory.CreateTempSubdirectory("smk-rogue-pki-").FullName;
        try
        {
            var rogue = DevelopmentPki.LoadOrCreate(folder).IssueCard(Holder);
            Assert.Equal(app.Pki.AuthenticationRoot.Subject, rogue.AuthenticationCertificate.Issuer);

            await ProblemAssert.ExactAsync(await LoginWithAsync(rogue), HttpStatusCode.Unauthorized, "certificate_untrusted");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Expired_card_is_certificate_expired()
    {
        var now = DateTimeOffset.UtcNow;
        var card = app.Pki.IssueCard(Holder, validFrom: now.AddHours(-12), validTo: now.AddHours(-1));

        await ProblemAssert.ExactAsync(await LoginWithAsync(card), HttpStatusCode.Unauthorized, "certificate_expired");
    }

    [Fact]
    public async Task Revoked_card_is_certificate_revoked()
    {
        var card = app.Pki.IssueCard(Holder);
        Assert.Equal(HttpStatusCode.OK, (await LoginWithAsync(card)).StatusCode);

        app.Pki.Revoke(card, CardCertificates.Authentication, X509RevocationReason.KeyCompromise);

        // The CRL source is re-read at most every Jpki:Revocation:RefreshSeconds (1 s here), in the
        // background while the previous CRL is still fresh: the revocation shows within seconds (the limit is for a
        // loaded machine; the loop ends as soon as it shows).
        HttpResponseMessage response;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            response = await LoginWithAsync(card);
        }
        while (response.StatusCode == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Unauthorized, "certificate_revoked");
    }

    [Theory]
    [InlineData("certificate", "%%% not base64 %%%")]
    [InlineData("signature", "%%%")]
    [InlineData("certificate", "AAAA")]
    public async Task Malformed_base64_or_der_is_400_invalid_request(string field, string value)
    {
        var card = app.Pki.IssueCard(Holder);
        var (challengeId, challenge) = await Client.CreateChallengeAsync();
        var body = new Dictionary<string, string>
        {
            ["challengeId"] = challengeId,
            ["certificate"] = Convert.ToBase64String(card.AuthenticationCertificate.RawData),
            ["signature"] = Convert.ToBase64String(card.SignWithAuthenticationKey(challenge)),
        };
        body[field] = value;

        await ProblemAssert.ExactAsync(await PostSessionAsync(body), HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(HttpStatusCode.OK, (await PostSessionAsync(MyKeyApiClient.LoginBody(card, challengeId, challenge))).StatusCode); // 400 left the challenge unused
    }

    [Fact]
    public async Task Url_safe_unpadded_base64_is_accepted()
    {
        var card = app.Pki.IssueCard(Holder);
        var (challengeId, challenge) = await Client.CreateChallengeAsync();

        var response = await PostSessionAsync(new
        {
            challengeId,
            certificate = Base64Url.EncodeToString(card.AuthenticationCertificate.RawData),
            signature = Base64Url.EncodeToString(card.SignWithAuthenticationKey(challenge)),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Renewed_card_keeps_the_MyKey_ID_through_relink_and_the_old_card_loses_it()
    {
        var oldCard = app.Pki.IssueCard(Holder);
        var session = await Client.LoginAsync(oldCard, withIdentity: true);
        var renewed = app.Pki.IssueCard(Holder);

        var relinked = await RelinkAsync(session, renewed, renewed);

        Assert.Equal(HttpStatusCode.OK, relinked.StatusCode);
        var myKeyId = session.GetProperty("myKeyId").GetString();
        Assert.Equal(myKeyId, (await Client.LoginAsync(renewed)).GetProperty("myKeyId").GetString());
        Assert.NotEqual(myKeyId, (await Client.LoginAsync(oldCard)).GetProperty("myKeyId").GetString());
    }

    [Fact]
    public async Task Relink_with_another_persons_signing_certificate_is_identity_mismatch()
    {
        var session = await Client.LoginAsync(app.Pki.IssueCard(Holder), withIdentity: true);
        var someoneElse = app.Pki.IssueCard(new CardHolder("田中　花子", "大阪府大阪市北区中之島1-3-20", new DateOnly(1991, 5, 5), "female"));

        await ProblemAssert.ExactAsync(await RelinkAsync(session, someoneElse, someoneElse), HttpStatusCode.Forbidden, "identity_mismatch");
    }

    [Fact]
    public async Task Relink_without_an_identity_proof_is_invalid_request()
    {
        var session = await Client.LoginAsync(app.Pki.IssueCard(Holder), withIdentity: true);

        await ProblemAssert.ExactAsync(await RelinkAsync(session, app.Pki.IssueCard(Holder), identityOf: null), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Relink_of_a_MyKey_ID_with_no_identity_on_record_is_identity_not_registered()
    {
        var session = await Client.LoginAsync(app.Pki.IssueCard(Holder));
        var renewed = app.Pki.IssueCard(Holder);

        await ProblemAssert.ExactAsync(await RelinkAsync(session, renewed, renewed), HttpStatusCode.Conflict, "identity_not_registered");
    }

    [Fact]
    public async Task Relink_with_a_token_issued_for_a_client_is_token_client_mismatch()
    {
        var card = app.Pki.IssueCard(Holder);
        await Client.LoginAsync(card, withIdentity: true);
        var clientSession = await Client.LoginAsync(card, LoginFixture.PortalClient);
        var renewed = app.Pki.IssueCard(Holder);

        await ProblemAssert.ExactAsync(await RelinkAsync(clientSession, renewed, renewed), HttpStatusCode.Unauthorized, "token_client_mismatch");
    }

    [Fact]
    public async Task A_login_with_another_persons_signing_certificate_is_identity_mismatch()
    {
        var card = app.Pki.IssueCard(Holder);
        await Client.LoginAsync(card, withIdentity: true);
        var someoneElse = app.Pki.IssueCard(new CardHolder("田中　花子", "大阪府大阪市北区中之島1-3-20", new DateOnly(1991, 5, 5), "female"));
        var (challengeId, challenge) = await Client.CreateChallengeAsync();

        await ProblemAssert.ExactAsync(await PostSessionAsync(new
        {
            challengeId,
            certificate = Convert.ToBase64String(card.AuthenticationCertificate.RawData),
            signature = Convert.ToBase64String(card.SignWithAuthenticationKey(challenge)),
            identity = MyKeyApiClient.IdentityProof(someoneElse, challenge),
        }), HttpStatusCode.Forbidden, "identity_mismatch");
    }

    /// <summary><c>POST /api/auth/relink</c> with the session's token, a login proof of <paramref name="renewed"/> and the signing proof of <paramref name="identityOf"/>.</summary>
    private async Task<HttpResponseMessage> RelinkAsync(JsonElement session, VirtualCard renewed, VirtualCard? identityOf)
    {
        var (challengeId, challenge) = await Client.CreateChallengeAsync();
        var body = new
        {
            challengeId,
            certificate = Convert.ToBase64String(renewed.AuthenticationCertificate.RawData),
            signature = Convert.ToBase64String(renewed.SignWithAuthenticationKey(challenge)),
            identity = identityOf is null ? null : MyKeyApiClient.IdentityProof(identityOf, challenge),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/auth/relink") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("accessToken").GetString());
        return await app.Http.SendAsync(request);
    }

    [Fact]
    public async Task Relink_without_a_session_is_401()
    {
        var renewed = app.Pki.IssueCard(Holder);
        var (challengeId, challenge) = await Client.CreateChallengeAsync();

        await ProblemAssert.ExactAsync(await app.Http.PostAsJsonAsync("api/auth/relink", MyKeyApiClient.LoginBody(renewed, challengeId, challenge)), HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
