using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ServerlessMyKey.Cli.Pki;

namespace ServerlessMyKey.Cli.Commands;

/// <summary>Virtual cards: <c>card new|list</c>, and what a card does: <c>login</c>, <c>sign</c>; <c>revoke</c> at the CA.</summary>
internal static class CardCommands
{
    public static Command Build(CommandOutput io)
    {
        var name = new Option<string>("--name") { Description = "氏名: surname, U+3000, given name, e.g. \"山田　太郎\".", Required = true };
        var address = new Option<string>("--address") { Description = "住所, e.g. \"東京都千代田区霞が関2-1-2\".", Required = true };
        var birth = new Option<string>("--birth") { Description = "生年月日 as YYYY-MM-DD.", Required = true };
        var sex = new Option<string>("--sex") { Description = "性別.", DefaultValueFactory = _ => "unknown" };
        sex.AcceptOnlyFromAmong("male", "female", "unknown");

        var create = new Command("new", "Issue a virtual card (authentication and signing certificates with the JPKI profiles) and print its id.") { name, address, birth, sex };
        create.SetAction(result =>
        {
            var birthText = result.GetRequiredValue(birth);
            if (!DateOnly.TryParseExact(birthText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birthDate))
            {
                throw new FormatException($"--birth must be YYYY-MM-DD, not '{birthText}'.");
            }

            var card = MyKeyCommand.Open(result.GetValue(CommonOptions.Data))
                .IssueCard(new CardHolder(result.GetRequiredValue(name), result.GetRequiredValue(address), birthDate, result.GetRequiredValue(sex)));
            io.Out.WriteLine(card.Id);
            return ExitCodes.Done;
        });

        var list = new Command("list", "List the virtual cards' ids.");
        list.SetAction(result =>
        {
            foreach (var id in MyKeyCommand.Open(result.GetValue(CommonOptions.Data)).CardIds())
            {
                io.Out.WriteLine(id);
            }

            return ExitCodes.Done;
        });

        return new Command("card", "Virtual My Number Cards of the development PKI.") { create, list };
    }

    public static Command Login(CommandOutput io)
    {
        var card = CommonOptions.Card();
        var api = CommonOptions.Api();
        var audience = new Option<string?>("--audience") { Description = "A registered client id to add to the token's audience." };
        var withIdentity = new Option<bool>("--with-identity") { Description = "Also sign the challenge with the signing key, so that the service keeps the keyed hash of the 基本4情報 a later relink must match." };
        var login = new Command("login", "Log in as a card-holder's app does: challenge, the card signs it, session. Prints the session JSON (myKeyId, accessToken, ...).") { card, api, audience, withIdentity };
        login.SetAction(async (result, cancellationToken) =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(result.GetRequiredValue(api).TrimEnd('/') + "/") };
            var virtualCard = MyKeyCommand.Open(result.GetValue(CommonOptions.Data)).LoadCard(result.GetRequiredValue(card));
            var session = await new MyKeyApiClient(http).LoginAsync(virtualCard, result.GetValue(audience), result.GetValue(withIdentity), cancellationToken);
            await io.Out.WriteLineAsync(session.GetRawText());
            return ExitCodes.Done;
        });
        return login;
    }

    /// <summary><c>proof</c>: what a reader (ticket gate, medical reader, shelter terminal) sends after reading the card.</summary>
    public static Command Proof(CommandOutput io)
    {
        var card = CommonOptions.Card();
        var api = CommonOptions.Api();
        var purpose = new Option<string>("--purpose") { Description = "The reader's purpose; the proof is accepted only at that purpose's route.", Required = true };
        purpose.AcceptOnlyFromAmong("ticket_gate", "medical_eligibility", "medical_checkin", "shelter_checkin");
        var apiKey = new Option<string>("--api-key") { Description = "The reader's x-api-key: the challenge is bound to that client.", Required = true };
        var proof = new Command("proof", "Act as a reader: ask for a challenge of --purpose with the reader's key, let the card sign it, print the proof JSON {challengeId, certificate, signature} to post to the reader's route.") { card, api, purpose, apiKey };
        proof.SetAction(async (result, cancellationToken) =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(result.GetRequiredValue(api).TrimEnd('/') + "/") };
            var virtualCard = MyKeyCommand.Open(result.GetValue(CommonOptions.Data)).LoadCard(result.GetRequiredValue(card));
            var body = await new MyKeyApiClient(http).ReaderProofAsync(virtualCard, result.GetRequiredValue(purpose), result.GetRequiredValue(apiKey), cancellationToken);
            await io.Out.WriteLineAsync(JsonSerializer.Serialize(body));
            return ExitCodes.Done;
        });
        return proof;
    }

    public static Command Revoke(CommandOutput io)
    {
        var card = CommonOptions.Card();
        var certificate = new Option<string>("--certificate") { Description = "Which certificate(s) to revoke.", DefaultValueFactory = _ => "both" };
        certificate.AcceptOnlyFromAmong("auth", "sign", "both");
        var reason = new Option<string>("--reason") { Description = "CRL reason code.", DefaultValueFactory = _ => "unspecified" };
        reason.AcceptOnlyFromAmong("unspecified", "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold");
        var revoke = new Command("revoke", "Revoke a card's certificate(s) and publish new CRLs (the DevHost reloads them).") { card, certificate, reason };
        revoke.SetAction(result =>
        {
            var pki = MyKeyCommand.Open(result.GetValue(CommonOptions.Data));
            var which = result.GetRequiredValue(certificate) switch
            {
                "auth" => CardCertificates.Authentication,
                "sign" => CardCertificates.Signing,
                _ => CardCertificates.Both,
            };
            pki.Revoke(pki.LoadCard(result.GetRequiredValue(card)), which, Enum.Parse<X509RevocationReason>(result.GetRequiredValue(reason), ignoreCase: true));
            io.Out.WriteLine($"Revoked; CRLs published in {pki.Folder} (the DevHost reloads them).");
            return ExitCodes.Done;
        });
        return revoke;
    }

    /// <summary><c>sign --card --file</c>, with <paramref name="documentCommands"/> (<c>sign json</c>, <c>sign statement</c>) beneath it.</summary>
    public static Command Sign(CommandOutput io, params Command[] documentCommands)
    {
        var card = CommonOptions.Card();
        var file = new Option<FileInfo>("--file") { Description = "The file to sign.", Required = true };
        var sign = new Command("sign", "Sign a file with the card's signing key (RSASSA-PKCS1-v1_5, SHA-256); prints {certificate, signature, data} in base64. 'sign json' and 'sign statement' build signed request bodies.") { card, file };
        foreach (var command in documentCommands)
        {
            sign.Subcommands.Add(command);
        }

        sign.SetAction(async (result, cancellationToken) =>
        {
            var signer = MyKeyCommand.Open(result.GetValue(CommonOptions.Data)).LoadCard(result.GetRequiredValue(card));
            var data = await File.ReadAllBytesAsync(result.GetRequiredValue(file).FullName, cancellationToken);
            await io.Out.WriteLineAsync(JsonSerializer.Serialize(new
            {
                certificate = Convert.ToBase64String(signer.SigningCertificate.RawData),
                signature = Convert.ToBase64String(signer.SignWithSigningKey(data)),
                data = Convert.ToBase64String(data),
            }));
            return ExitCodes.Done;
        });
        return sign;
    }
}
