using System.CommandLine;
using ServerlessMyKey.Cli.Pki;

namespace ServerlessMyKey.Cli.Commands;

/// <summary>
/// The <c>mykey</c> command line (System.CommandLine): help on every command (<c>-h</c>,
/// <c>--help</c>), and exit codes a script can rely on — see <see cref="ExitCodes"/>.
/// </summary>
public static class MyKeyCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var io = new CommandOutput(output ?? Console.Out, error ?? Console.Error);
        var root = Build(io);
        var parsed = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = io.Out, Error = io.Error, EnableDefaultExceptionHandler = false };
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await io.Error.WriteLineAsync("mykey: " + problem.Message);
            }

            await io.Error.WriteLineAsync($"Try '{string.Join(' ', ["mykey", .. CommandPath(parsed.CommandResult)])} --help'.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(configuration, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null)
        {
            await io.Error.WriteLineAsync("mykey: the API could not be reached: " + ex.Message);
            return ExitCodes.Unreachable;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or FileNotFoundException or HttpRequestException or InvalidDataException)
        {
            await io.Error.WriteLineAsync("mykey: " + ex.Message);
            return ExitCodes.Failed;
        }
    }

    /// <summary>The command tree; <paramref name="io"/> is where commands write.</summary>
    internal static RootCommand Build(CommandOutput io)
    {
        var root = new RootCommand("mykey: a development PKI and virtual My Number Cards for a local ServerlessMyKey (never for production).\n"
            + "Exit codes: 0 done, 1 failed (refused by the API, missing card or file, bad value), 2 usage error, 3 the API could not be reached.");
        root.Options.Add(CommonOptions.Data);
        root.Subcommands.Add(PkiCommands.Build(io));
        root.Subcommands.Add(CardCommands.Build(io));
        root.Subcommands.Add(CardCommands.Login(io));
        root.Subcommands.Add(CardCommands.Proof(io));
        root.Subcommands.Add(CardCommands.Revoke(io));
        root.Subcommands.Add(CardCommands.Sign(io, SignedDocumentCommands.Json(io), SignedDocumentCommands.Statement(io)));
        root.Subcommands.Add(TvCommand.Build(io));
        root.Subcommands.Add(OidcLoginCommand.Build(io));
        return root;
    }

    /// <summary>The PKI folder: <c>--data</c>, else the DevHost's data folder of this repository.</summary>
    public static DevelopmentPki Open(string? dataFolder)
    {
        var root = ServerlessMyKey.LocalStorage.RepositoryRoot.TryFind() ?? Directory.GetCurrentDirectory();
        var data = dataFolder
            ?? (Environment.GetEnvironmentVariable("DevHost__DataPath") is { Length: > 0 } configured ? Path.Combine(root, configured) : Path.Combine(root, ".devhost"));
        return DevelopmentPki.LoadOrCreate(Path.Combine(data, "pki"));
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new Stack<string>();
        for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
        {
            names.Push(r.Command.Name);
        }

        return names;
    }
}

/// <summary>What <c>mykey</c> exits with.</summary>
public static class ExitCodes
{
    public const int Done = 0;

    /// <summary>The command ran and failed: the API refused, a card or file is missing, a value is invalid.</summary>
    public const int Failed = 1;

    /// <summary>Unknown command or option, a missing required option, a value not among those allowed.</summary>
    public const int Usage = 2;

    /// <summary>The API did not answer (not started, wrong <c>--api</c>).</summary>
    public const int Unreachable = 3;
}

/// <summary>Where commands write (the console, or a test's writers).</summary>
internal sealed record CommandOutput(TextWriter Out, TextWriter Error);

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Data = new("--data")
    {
        Description = "The DevHost's data folder holding the PKI in <data>/pki (default: DevHost:DataPath, i.e. <repository>/.devhost).",
        Recursive = true,
    };

    public static Option<string> Card() => new("--card")
    {
        Description = "The virtual card's id (card-xxxxxxxx; see 'mykey card list').",
        Required = true,
    };

    public static Option<string> Api()
    {
        var api = new Option<string>("--api") { Description = "The API's base URL.", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
        api.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                result.AddError($"--api must be an http(s) URL, not '{value}'.");
            }
        });
        return api;
    }
}
