namespace ServerlessMyKey.Core.Errors;

/// <summary>
/// One entry of the closed catalogue of error codes: the stable snake_case code callers
/// branch on, the HTTP status it maps to, and a short title for humans.
/// </summary>
public sealed record ErrorCode(string Code, int Status, string Title);
