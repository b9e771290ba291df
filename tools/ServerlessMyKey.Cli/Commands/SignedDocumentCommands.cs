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
    public const string Usage = """
          mykey sign json --card <id> --file <document.json> [--field application] [--delegation XXXX-XXXX-XXXX]
                                                                 {"<field>":<document>,"signature":{…}} signed over the document's JCS form
          mykey sign statement --card <id> --action withdraw|claim --application <applicationId>
                                                                 {"signature":{…}} over {"action":…,"applicationId":…}
        """;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static string Run(string verb, VirtualCard card, IReadOnlyDictionary<string, string> options)
    {
        if (verb == "sign statement")
        {
            var statement = new { action = MyKeyCommand.Required(options, "action"), applicationId = MyKeyCommand.Required(options, "application") };
            return JsonSerializer.Serialize(new { signature = Sign(card, JsonCanonicalizer.Serialize(statement, Web)) });
        }

        JsonNode document;
        try
        {
            document = JsonNode.Parse(File.ReadAllText(MyKeyCommand.Required(options, "file"))) ?? throw new InvalidDataException("The file holds JSON null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The file is not JSON: {ex.Message}");
        }

        using var parsed = JsonDocument.Parse(document.ToJsonString());
        var body = new JsonObject
        {
            [options.GetValueOrDefault("field", "application")] = document,
            ["signature"] = JsonSerializer.SerializeToNode(Sign(card, JsonCanonicalizer.Canonicalize(parsed.RootElement))),
        };
        if (options.GetValueOrDefault("delegation") is { } number)
        {
            body["delegationNumber"] = number;
        }

        return body.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static object Sign(VirtualCard card, byte[] data) => new
    {
        certificate = Convert.ToBase64String(card.SigningCertificate.RawData),
        signature = Convert.ToBase64String(card.SignWithSigningKey(data)),
    };
}
