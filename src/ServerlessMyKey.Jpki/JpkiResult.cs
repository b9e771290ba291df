using System.Diagnostics.CodeAnalysis;

namespace ServerlessMyKey.Jpki;

/// <summary>
/// Why a verification failed: the catalogued code plus a detail naming the check that refused it.
/// The detail never contains personal data, certificate contents or signatures, so it may be logged.
/// </summary>
public sealed record JpkiFailure(JpkiErrorCode Code, string Detail)
{
    /// <summary>The stable snake_case code, e.g. <c>certificate_expired</c>.</summary>
    public string CodeName => JpkiErrors.Code(Code);

    public override string ToString() => $"{CodeName}: {Detail}";
}

/// <summary>The outcome of a check that yields nothing but success or a <see cref="JpkiFailure"/>.</summary>
public sealed class JpkiResult
{
    private JpkiResult(JpkiFailure? failure) => Failure = failure;

    public static JpkiResult Success { get; } = new(null);

    public JpkiFailure? Failure { get; }

    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static JpkiResult Fail(JpkiErrorCode code, string detail) => new(new JpkiFailure(code, detail));
}

/// <summary>The outcome of a check that yields a value on success.</summary>
public sealed class JpkiResult<T>
    where T : class
{
    private JpkiResult(T? value, JpkiFailure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public JpkiFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static JpkiResult<T> Success(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    public static JpkiResult<T> Fail(JpkiErrorCode code, string detail) => new(null, new JpkiFailure(code, detail));
}
