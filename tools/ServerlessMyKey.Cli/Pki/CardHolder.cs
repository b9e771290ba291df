namespace ServerlessMyKey.Cli.Pki;

/// <summary>The 基本4情報 of a virtual card's holder: name (surname U+3000 given name), address, birth date, sex.</summary>
public sealed record CardHolder(string Name, string Address, DateOnly BirthDate, string Sex);
