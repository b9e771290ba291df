using System.Security.Cryptography;

namespace ServerlessMyKey.Jpki.Tests.TestPki;

/// <summary>RSA keys are slow to generate, so each is made once per test run and shared.</summary>
internal static class TestKeys
{
    private static readonly Lazy<RSA> AuthenticationRootKey = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> SigningRootKey = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> ImpostorRootKey = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> TestHierarchyRootKey = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> CardKey = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> OtherCardKey = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> OcspResponderKey = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> WeakKey = new(() => RSA.Create(1024));

    public static RSA AuthenticationRoot => AuthenticationRootKey.Value;

    public static RSA SigningRoot => SigningRootKey.Value;

    /// <summary>A key that belongs to no trusted root: used for roots that copy a trusted root's DN.</summary>
    public static RSA Impostor => ImpostorRootKey.Value;

    public static RSA TestHierarchyRoot => TestHierarchyRootKey.Value;

    /// <summary>The key of a virtual card (both of its certificates use it; a real card has two).</summary>
    public static RSA Card => CardKey.Value;

    public static RSA OtherCard => OtherCardKey.Value;

    /// <summary>The key of delegated OCSP responders.</summary>
    public static RSA OcspResponder => OcspResponderKey.Value;

    public static RSA Rsa1024 => WeakKey.Value;
}
