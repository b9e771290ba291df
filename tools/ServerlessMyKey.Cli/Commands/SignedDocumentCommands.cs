using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Core.Json;

namespace ServerlessMyKey.Cli.Commands;

/// <summary>
/// Request bodies signed with a virtual card over the RFC 8785 (JCS) form of a JSON document, as the
/// child-care one-stop and delegation routes want them: an application, an employment certificate,
/// a statement such as a withdrawal.
/// </summary>
internal static class SignedDocumentCommands
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary><c>mykey sign json --card &lt;id&gt; --file &lt;document.json&gt; [--field application] [--applicant &lt;MyKey ID&gt;] [--delegation XXXX-XXXX-XXXX]</c>.</summary>
    public static Command Json(CommandOutput io)
    {
        var card = CommonOptions.Card();
        var file = new Option<FileInfo>("--file") { Description = "The JSON document to sign.", Required = true };
        var field = new Option<string>("--field") { Description = "The body's field that holds the document.", DefaultValueFactory = _ => "application" };
        var delegation = new Option<string?>("--delegation") { Description = "A 委任状番号 (XXXX-XXXX-XXXX) to add as delegationNumber." };
        var applicant = new Option<string?>("--applicant")
        {
            Description = "The submitter's MyKey ID, set as applicantMyKeyId inside the document before signing (a child-care application runs only for the account it names).",
        };
        var json = new Command("json", "Print {\"<field>\":<document>,\"signature\":{certificate,signature}} signed over the document's JCS form.") { card, file, field, applicant, delegation };
        json.SetAction(result =>
        {
            var signer = MyKeyCommand.Open(result.GetValue(CommonOptions.Data)).LoadCard(result.GetRequiredValue(card));
            io.Out.WriteLine(SignDocument(signer, result.GetRequiredValue(file).FullName, result.GetRequiredValue(field), result.GetValue(applicant), result.GetValue(delegation)));
            return ExitCodes.Done;
        });
        return json;
    }

    /// <summary><c>mykey sign statement --card &lt;id&gt; --action withdraw|claim --application &lt;applicationId&gt; [--mykey-id &lt;claimant&gt;]</c>.</summary>
    public static Command Statement(CommandOutput io)
    {
        var card = CommonOptions.Card();
        var action = new Option<string>("--action") { Description = "The statement's action.", Required = true };
        action.AcceptOnlyFromAmong("withdraw", "claim");
        var application = new Option<string>("--application") { Description = "The applicationId the statement is about.", Required = true };
        var myKeyId = new Option<string?>("--mykey-id") { Description = "The claimant's MyKey ID (required with --action claim: a claim is bound to who posts it)." };
        var statement = new Command("statement", "Print {\"signature\":{…}} over the JCS form of {\"action\":…,\"applicationId\":…} (a claim also names \"myKeyId\").") { card, action, application, myKeyId };
        statement.Validators.Add(result =>
        {
            if (result.GetValue(action) == "claim" && result.GetValue(myKeyId) is null)
            {
                result.AddError("--mykey-id is required with --action claim.");
            }
        });
        statement.SetAction(result =>
        {
            var signer = MyKeyCommand.Open(result.GetValue(CommonOptions.Data)).LoadCard(result.GetRequiredValue(card));
            var kind = result.GetRequiredValue(action);
            object body = kind == "claim"
                ? new { action = kind, applicationId = result.GetRequiredValue(application), myKeyId = result.GetValue(myKeyId) }
                : new { action = kind, applicationId = result.GetRequiredValue(application) };
            io.Out.WriteLine(JsonSerializer.Serialize(new { signature = Sign(signer, JsonCanonicalizer.Serialize(body, Web)) }));
            return ExitCodes.Done;
        });
        return statement;
    }

    private static string SignDocument(VirtualCard card, string path, string field, string? applicant, string? delegationNumber)
    {
        JsonNode document;
        try
        {
            document = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("The file holds JSON null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The file is not JSON: {ex.Message}");
        }

        if (applicant is not null)
        {
            (document as JsonObject ?? throw new InvalidDataException("--applicant needs a JSON object in the file."))["applicantMyKeyId"] = applicant;
        }

        using var parsed = JsonDocument.Parse(document.ToJsonString());
        var body = new JsonObject
        {
            [field] = document,
            ["signature"] = JsonSerializer.SerializeToNode(Sign(card, JsonCanonicalizer.Canonicalize(parsed.RootElement))),
        };
        if (delegationNumber is not null)
        {
            body["delegationNumber"] = delegationNumber;
        }

        return body.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static object Sign(VirtualCard card, byte[] data) => new
    {
        certificate = Convert.ToBase64String(card.SigningCertificate.RawData),
        signature = Convert.ToBase64String(card.SignWithSigningKey(data)),
    };
}
