namespace ServerlessMyKey.Cli.Pki;

/// <summary>Which certificates of a card an operation applies to.</summary>
[Flags]
public enum CardCertificates
{
    Authentication = 1,
    Signing = 2,
    Both = Authentication | Signing,
}
