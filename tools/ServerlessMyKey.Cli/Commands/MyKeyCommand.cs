using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Cli.Pki;

namespace ServerlessMyKey.Cli.Commands;

/// <summary>The <c>mykey</c> command line.</summary>
public static class MyKeyCommand
{
    private static readonly string Usage = $"""
        mykey: a development PKI and virtual My Number Cards for a local ServerlessMyKey (never for production)

          mykey pki init                                         create the development roots and CRLs
          mykey card new --name "山田　太郎" --address "東京都千代田区霞が関2-1-2" --birth 1985-04-01 --sex male
          mykey card list
          mykey login --card <id> [--api http://127.0.0.1:7071] [--audience <client id>]
          mykey revoke --card <id> [--certificate auth|sign|both] [--reason keyCompromise|affiliationChanged|superseded|cessationOfOperation|certificateHold]
          mykey sign --card <id> --file <path>                   raw signature (PKCS#1 v1.5, SHA-256) with the signing key
        {SignedDocumentCommands.Usage}
        {TvCommand.Usage}
          mykey oidc-login --card <id> (--authorize-url <url> | --request <requestId>) [--api http://127.0.0.1:7071]
                                                                 the holder's part of an OpenID Connect sign-in; prints the redirect with the code

        Options: --data <folder> (default: DevHost:DataPath, i.e. <repository>/.devhost); the PKI lives in <data>/pki.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var (verb, options) = Parse(args);
            switch (verb)
            {
                case "pki init":
                    var pki = Open(options);
                    Console.WriteLine($"Development PKI in {pki.Folder}");
                    Console.WriteLine($"  authentication root: {pki.AuthenticationRootPath}  (SHA-256 {pki.AuthenticationRoot.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)})");
                    Console.WriteLine($"  signing root:        {pki.SigningRootPath}  (SHA-256 {pki.SigningRoot.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)})");
                    Console.WriteLine($"  CRLs:                {pki.AuthenticationCrlPath}, {pki.SigningCrlPath}");
                    Console.WriteLine("The DevHost trusts these in Development only.");
                    return 0;
                case "card new":
                    var card = Open(options).IssueCard(new CardHolder(
                        Required(options, "name"),
                        Required(options, "address"),
                        DateOnly.ParseExact(Required(options, "birth"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                        options.GetValueOrDefault("sex", "unknown")));
                    Console.WriteLine(card.Id);
                    return 0;
                case "card list":
                    foreach (var id in Open(options).CardIds())
                    {
                        Console.WriteLine(id);
                    }

                    return 0;
                case "login":
                    using (var http = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("api", "http://127.0.0.1:7071").TrimEnd('/') + "/") })
                    {
                        var session = await new MyKeyApiClient(http).LoginAsync(Open(options).LoadCard(Required(options, "card")), options.GetValueOrDefault("audience"));
                        Console.WriteLine(session.GetRawText());
                    }

                    return 0;
                case "revoke":
                    var pkiForRevoke = Open(options);
                    var which = options.GetValueOrDefault("certificate", "both") switch
                    {
                        "auth" => CardCertificates.Authentication,
                        "sign" => CardCertificates.Signing,
                        "both" => CardCertificates.Both,
                        var other => throw new ArgumentException($"--certificate must be auth, sign or both, not '{other}'."),
                    };
                    var reason = Enum.Parse<X509RevocationReason>(options.GetValueOrDefault("reason", "unspecified"), ignoreCase: true);
                    pkiForRevoke.Revoke(pkiForRevoke.LoadCard(Required(options, "card")), which, reason);
                    Console.WriteLine($"Revoked; CRLs published in {pkiForRevoke.Folder} (the DevHost reloads them).");
                    return 0;
                case "sign":
                    var signer = Open(options).LoadCard(Required(options, "card"));
                    var data = await File.ReadAllBytesAsync(Required(options, "file"));
                    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                    {
                        certificate = Convert.ToBase64String(signer.SigningCertificate.RawData),
                        signature = Convert.ToBase64String(signer.SignWithSigningKey(data)),
                        data = Convert.ToBase64String(data),
                    }));
                    return 0;
                case "sign json" or "sign statement":
                    Console.WriteLine(SignedDocumentCommands.Run(verb, Open(options).LoadCard(Required(options, "card")), options));
                    return 0;
                case "oidc-login":
                    return await OidcLoginCommand.RunAsync(Open(options).LoadCard(Required(options, "card")), options);
                default:
                    if (await TvCommand.TryRunAsync(verb, options) is { } tvResult)
                    {
                        return tvResult;
                    }

                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or FileNotFoundException or HttpRequestException or InvalidDataException)
        {
            Console.Error.WriteLine("mykey: " + ex.Message);
            return 1;
        }
    }

    /// <summary>The PKI folder: <c>--data</c>, else the DevHost's data folder of this repository.</summary>
    public static DevelopmentPki Open(IReadOnlyDictionary<string, string> options)
    {
        var root = ServerlessMyKey.LocalStorage.RepositoryRoot.TryFind() ?? Directory.GetCurrentDirectory();
        var data = options.GetValueOrDefault("data")
            ?? (Environment.GetEnvironmentVariable("DevHost__DataPath") is { Length: > 0 } configured ? Path.Combine(root, configured) : Path.Combine(root, ".devhost"));
        return DevelopmentPki.LoadOrCreate(Path.Combine(data, "pki"));
    }

    private static (string Verb, Dictionary<string, string> Options) Parse(string[] args)
    {
        var words = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = words.Count; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--option value' at '{args[i]}'.");
            }

            options[args[i][2..]] = args[++i];
        }

        return (string.Join(' ', words), options);
    }

    internal static string Required(IReadOnlyDictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new ArgumentException($"--{name} is required.");
}
