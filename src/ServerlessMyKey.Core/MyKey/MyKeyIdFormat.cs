using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.MyKey;

/// <summary>The form of a MyKey ID (マイキーID): 8 ASCII letters and digits.</summary>
public static class MyKeyIdFormat
{
    public const int Length = 8;

    public static bool IsValid(string? myKeyId) =>
        myKeyId is { Length: Length } && myKeyId.All(char.IsAsciiLetterOrDigit);

    /// <summary>The ID when well formed; otherwise 400 <c>invalid_request</c>.</summary>
    public static string Require(string? myKeyId) =>
        IsValid(myKeyId) ? myKeyId! : throw new ServiceException(ErrorCodes.InvalidRequest, "The MyKey ID must be 8 letters or digits.");
}
