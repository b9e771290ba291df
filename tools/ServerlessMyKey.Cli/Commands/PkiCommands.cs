using System.CommandLine;
using System.Security.Cryptography;

namespace ServerlessMyKey.Cli.Commands;

/// <summary><c>mykey pki init</c>.</summary>
internal static class PkiCommands
{
    public static Command Build(CommandOutput io)
    {
        var init = new Command("init", "Create the development roots and CRLs (once) and print their fingerprints.");
        init.SetAction(result =>
        {
            var pki = MyKeyCommand.Open(result.GetValue(CommonOptions.Data));
            io.Out.WriteLine($"Development PKI in {pki.Folder}");
            io.Out.WriteLine($"  authentication root: {pki.AuthenticationRootPath}  (SHA-256 {pki.AuthenticationRoot.GetCertHashString(HashAlgorithmName.SHA256)})");
            io.Out.WriteLine($"  signing root:        {pki.SigningRootPath}  (SHA-256 {pki.SigningRoot.GetCertHashString(HashAlgorithmName.SHA256)})");
            io.Out.WriteLine($"  CRLs:                {pki.AuthenticationCrlPath}, {pki.SigningCrlPath}");
            io.Out.WriteLine("The DevHost trusts these in Development only.");
            return ExitCodes.Done;
        });
        return new Command("pki", "The development PKI: two roots shaped like J-LIS's, never trusted outside Development.") { init };
    }
}
