using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Delegation;

/// <summary>電子委任状 over real HTTP through the DevHost: registration, acceptance, act verification, revocation, refusals.</summary>
public sealed class DelegationApiTests(DelegationApiFixture app) : IClassFixture<DelegationApiFixture>
{
    private static readonly byte[] ActData = Encoding.UTF8.GetBytes("""{"tender":"R8-0042","price":1200000}""");

    [Fact]
    public async Task A_delegation_is_registered_accepted_used_for_acts_and_revoked()
    {
        var (_, representative) = await app.NewCardholderAsync(Representative);
        var (agentId, agent) = await app.NewCardholderAsync(Agent);
        var (_, stranger) = await app.NewCardholderAsync(new CardHolder("佐藤　三郎", "大阪府大阪市北区1-1", new DateOnly(1980, 1, 1), "male"));
        var document = Document(agentId);

        var created = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = Signed(representative, document) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("delegationId").GetString()!;
        var number = body.GetProperty("number").GetString()!;
        Assert.Equal("pending", body.GetProperty("status").GetString());

        // Registering the same signed document again finds the same delegation; a key reused for another body is refused.
        var again = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = Signed(representative, document) }, idempotencyKey: "reg-" + id);
        Assert.Equal(id, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delegationId").GetString());
        var other = Document(agentId);
        other["subDelegationAllowed"] = true;
        var reused = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = other, signature = Signed(representative, other) }, idempotencyKey: "reg-" + id);
        await ProblemAssert.ExactAsync(reused, HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");

        Assert.Equal("delegation_not_active", await VerifyCodeAsync(number, agent));

        var wrongName = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance",
            new { signature = Signed(stranger, new { action = "accept", delegationId = id }) }, bearerFor: agentId);
        var replayedStatement = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance",
            new { signature = Signed(agent, new { action = "revoke", delegationId = id }) }, bearerFor: agentId);
        var accepted = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance",
            new { signature = Signed(agent, new { action = "accept", delegationId = id }) }, bearerFor: agentId);
        await ProblemAssert.ExactAsync(wrongName, HttpStatusCode.UnprocessableEntity, "holder_name_mismatch");
        await ProblemAssert.ExactAsync(replayedStatement, HttpStatusCode.Unauthorized, "signature_invalid");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("active", (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        Assert.Equal("authorized", await VerifyCodeAsync(number, agent));

        // The delegator hears of the acceptance: a signed webhook without names.
        var (signatureHeader, hookBody) = await app.Webhooks.WaitForAsync(h => h.GetProperty("delegationId").GetString() == id);
        var parts = signatureHeader.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = ServerlessMyKey.Core.Security.WebhookSignature.Compute(Encoding.UTF8.GetBytes(WebhookSecret), long.Parse(parts["t"], System.Globalization.CultureInfo.InvariantCulture), hookBody);
        Assert.Equal(Convert.ToHexStringLower(expected), parts["v1"]);
        var hook = JsonDocument.Parse(hookBody).RootElement;
        Assert.Equal("delegation.accepted", hook.GetProperty("event").GetString());
        Assert.Equal(number, hook.GetProperty("number").GetString());
        Assert.DoesNotContain("鈴木", Encoding.UTF8.GetString(hookBody), StringComparison.Ordinal);

        Assert.Equal("authorized", await VerifyCodeAsync(number.Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant(), agent));
        Assert.Equal("act_outside_powers", await VerifyCodeAsync(number, agent, procedure: "procurement.contract"));
        Assert.Equal("act_outside_powers", await VerifyCodeAsync(number, agent, agency: "国土交通省"));
        Assert.Equal("signer_not_delegate", await VerifyCodeAsync(number, stranger));
        Assert.Equal("signature_invalid", await VerifyCodeAsync(number, agent, tamper: true));

        var notDelegator = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/revocation",
            new { signature = Signed(agent, new { action = "revoke", delegationId = id }) });
        await ProblemAssert.ExactAsync(notDelegator, HttpStatusCode.Forbidden, "signer_not_delegator");
        var revoked = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/revocation",
            new { signature = Signed(representative, new { action = "revoke", delegationId = id }) });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("delegation_revoked", await VerifyCodeAsync(number, agent));

        var view = await app.SendAsync(HttpMethod.Get, $"api/delegations/{id}", bearerFor: agentId);
        var viewed = await view.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("revoked", viewed.GetProperty("status").GetString());
        Assert.Equal("7000012050002", viewed.GetProperty("delegation").GetProperty("delegator").GetProperty("corporateNumber").GetString());
        var kinds = viewed.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal("created", kinds[0]);
        Assert.Contains("accepted", kinds);
        Assert.Equal("revoked", kinds[^2]);
        Assert.Equal("act-verified", kinds[^1]);

        var asVerifier = await app.SendAsync(HttpMethod.Get, $"api/delegations/{id}", apiKey: VerifierKey);
        var asOtherCitizen = await app.SendAsync(HttpMethod.Get, $"api/delegations/{id}", bearerFor: await app.NewCitizenAsync());
        var noRole = await app.SendAsync(HttpMethod.Get, $"api/delegations/{id}", apiKey: NoRoleKey);
        Assert.Equal(HttpStatusCode.OK, asVerifier.StatusCode);
        await ProblemAssert.ExactAsync(asOtherCitizen, HttpStatusCode.NotFound, "delegation_not_found");
        await ProblemAssert.ExactAsync(noRole, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Only_the_delegate_may_accept_and_a_rejected_delegation_authorizes_nothing()
    {
        var (_, representative) = await app.NewCardholderAsync(Representative);
        var (agentId, agent) = await app.NewCardholderAsync(Agent);
        var otherId = await app.NewCitizenAsync();
        var document = Document(agentId);
        var created = await (await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = Signed(representative, document) }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("delegationId").GetString()!;

        var otherToken = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance", new { signature = Signed(agent, new { action = "accept", delegationId = id }) }, bearerFor: otherId);
        var noToken = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance", new { signature = Signed(agent, new { action = "accept", delegationId = id }) });
        var rejected = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/rejection", new { signature = Signed(agent, new { action = "reject", delegationId = id }) }, bearerFor: agentId);
        var lateAccept = await app.SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance", new { signature = Signed(agent, new { action = "accept", delegationId = id }) }, bearerFor: agentId);

        await ProblemAssert.ExactAsync(otherToken, HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ExactAsync(noToken, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("rejected", (await rejected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await ProblemAssert.ExactAsync(lateAccept, HttpStatusCode.Conflict, "delegation_not_pending");
        Assert.Equal("delegation_not_active", await VerifyCodeAsync(created.GetProperty("number").GetString()!, agent));
    }

    [Theory]
    [InlineData("corporateNumber", HttpStatusCode.UnprocessableEntity, "invalid_corporate_number")]
    [InlineData("procedure", HttpStatusCode.UnprocessableEntity, "unknown_procedure")]
    [InlineData("validity", HttpStatusCode.UnprocessableEntity, "invalid_validity_period")]
    [InlineData("representativeName", HttpStatusCode.UnprocessableEntity, "holder_name_mismatch")]
    [InlineData("tampered", HttpStatusCode.Unauthorized, "signature_invalid")]
    [InlineData("unknownMember", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("authenticationCertificate", HttpStatusCode.Unauthorized, "certificate_wrong_kind")]
    public async Task Registration_refusals_have_their_codes(string mutation, HttpStatusCode status, string code)
    {
        var (_, representative) = await app.NewCardholderAsync(Representative);
        var document = Document("ABCDEFGHJKLMN");
        object signature = Signed(representative, document);
        switch (mutation)
        {
            case "corporateNumber":
                document["delegator"] = new { corporateNumber = "8000012050002", corporationName = "株式会社サンプル", representativeName = "鈴木　一郎" };
                break;
            case "procedure":
                document["powers"] = new[] { new { procedure = "tax.filing", agency = "国税庁" } };
                break;
            case "validity":
                document["validTo"] = document["validFrom"];
                break;
            case "representativeName":
                document = Document("ABCDEFGHJKLMN", representativeName: "鈴木　二郎");
                break;
            case "unknownMember":
                document["extra"] = true;
                break;
            case "authenticationCertificate":
                signature = new
                {
                    certificate = Convert.ToBase64String(representative.AuthenticationCertificate.RawData),
                    signature = Convert.ToBase64String(representative.SignWithAuthenticationKey(Encoding.UTF8.GetBytes("x"))),
                };
                break;
        }

        if (mutation is not ("tampered" or "authenticationCertificate"))
        {
            signature = Signed(representative, document);
        }
        else if (mutation == "tampered")
        {
            document["subDelegationAllowed"] = true;
        }

        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature }), status, code);
    }

    [Fact]
    public async Task A_repeated_acceptance_answers_active_and_the_delegator_hears_once()
    {
        var active = await app.ActiveDelegationAsync();
        var again = await app.SendAsync(HttpMethod.Post, $"api/delegations/{active.DelegationId}/acceptance",
            new { signature = Signed(active.Agent, new { action = "accept", delegationId = active.DelegationId }) }, bearerFor: active.AgentId);
        Assert.Equal("active", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        await app.Webhooks.WaitForAsync(h => h.GetProperty("delegationId").GetString() == active.DelegationId);
        await WaitForNotificationCompletedAsync(active.DelegationId);
        Assert.Single(app.Webhooks.Received, h => JsonDocument.Parse(h.Body).RootElement.GetProperty("delegationId").GetString() == active.DelegationId);

        // The outbox row written before the status change is gone once the notification was scheduled.
        var outbox = new global::Azure.Data.Tables.TableClient(await ServerlessMyKey.Testing.AzuriteServer.GetConnectionStringAsync(), "DelegatorNotifications");
        Assert.False((await outbox.GetEntityIfExistsAsync<global::Azure.Data.Tables.TableEntity>("accepted", active.DelegationId)).HasValue);
    }

    /// <summary>
    /// Waits until the delegation's one notification orchestration (a deterministic instance id; a repeated
    /// acceptance only schedules it when missing) has completed in the task hub's Instances table: after
    /// that it sends nothing more.
    /// </summary>
    private static async Task WaitForNotificationCompletedAsync(string delegationId)
    {
        var service = new global::Azure.Data.Tables.TableServiceClient(await ServerlessMyKey.Testing.AzuriteServer.GetConnectionStringAsync());
        var instanceId = ServerlessMyKey.Core.Delegation.DelegatorNotificationOrchestrator.InstanceId(delegationId);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            await foreach (var table in service.QueryAsync(t => true))
            {
                if (table.Name.EndsWith("Instances", StringComparison.Ordinal)
                    && (await service.GetTableClient(table.Name).GetEntityIfExistsAsync<global::Azure.Data.Tables.TableEntity>(instanceId, string.Empty)) is { HasValue: true } row
                    && row.Value!.GetString("RuntimeStatus") == "Completed")
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "The delegator notification did not complete.");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Without_corporate_CAs_a_registry_signed_document_is_untrusted()
    {
        using var ca = new CorporateTestCa("Corporate registry CA");
        var document = Document("AB34CD56");

        var response = await app.SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = ca.Issue("000012050002").Signed(document) });

        await ProblemAssert.ExactAsync(response, HttpStatusCode.Unauthorized, "certificate_untrusted");
    }

    [Fact]
    public async Task Verifications_need_the_role_and_a_well_formed_number()
    {
        var (_, agent) = await app.NewCardholderAsync(Agent);
        var request = new { number = "AAAA-AAAA-AAAB", act = new { procedure = "procurement.bid", agency = "総務省" }, data = Convert.ToBase64String(ActData), signature = Sign(agent, ActData) };
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/delegations/verifications", request, apiKey: NoRoleKey), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/delegations/verifications", request), HttpStatusCode.Unauthorized, "unauthenticated");
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Post, "api/delegations/verifications", request, apiKey: VerifierKey), HttpStatusCode.BadRequest, "invalid_request");
        var unknown = await app.SendAsync(HttpMethod.Post, "api/delegations/verifications", request with { number = "AAAA-AAAA-AAAA" }, apiKey: VerifierKey);
        Assert.Equal("delegation_not_found", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        await ProblemAssert.ExactAsync(await app.SendAsync(HttpMethod.Get, "api/delegations/0123456789abcdef0123456789abcdef", apiKey: VerifierKey), HttpStatusCode.NotFound, "delegation_not_found");
    }

    private async Task<string> VerifyCodeAsync(string number, VirtualCard signer, string procedure = "procurement.bid", string agency = "総務省", bool tamper = false)
    {
        var signature = Sign(signer, ActData);
        var data = tamper ? Encoding.UTF8.GetBytes("""{"tender":"R8-0042","price":1}""") : ActData;
        var response = await app.SendAsync(HttpMethod.Post, "api/delegations/verifications",
            new { number, act = new { procedure, agency }, data = Convert.ToBase64String(data), signature }, apiKey: VerifierKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(result.GetProperty("code").GetString() == "authorized", result.GetProperty("authorized").GetBoolean());
        return result.GetProperty("code").GetString()!;
    }

    [Fact]
    public async Task The_stored_delegation_holds_no_name_in_clear_text()
    {
        var active = await app.ActiveDelegationAsync();
        var table = new global::Azure.Data.Tables.TableClient(await ServerlessMyKey.Testing.AzuriteServer.GetConnectionStringAsync(), "Delegations");

        var rows = new List<global::Azure.Data.Tables.TableEntity>();
        await foreach (var row in table.QueryAsync<global::Azure.Data.Tables.TableEntity>(e => e.PartitionKey == active.DelegationId))
        {
            rows.Add(row);
        }

        var stored = string.Join("\n", rows.SelectMany(r => r.Select(kv => kv.Value?.ToString())));
        Assert.NotEmpty(rows);
        Assert.DoesNotContain("鈴木", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("山田", stored, StringComparison.Ordinal);
        Assert.Contains(rows, r => r.GetString("DocumentEnvelope") is { Length: > 0 });

        // And it still reads back whole: the API returns the document.
        var read = await app.SendAsync(HttpMethod.Get, $"api/delegations/{active.DelegationId}", bearerFor: active.AgentId);
        Assert.Contains("山田", System.Text.RegularExpressions.Regex.Unescape(await read.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }
}
