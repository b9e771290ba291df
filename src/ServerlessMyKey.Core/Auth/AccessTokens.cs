using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Keys;

namespace ServerlessMyKey.Core.Auth;

/// <summary>
/// Access tokens: compact JWS (RFC 7515) JWTs signed ES256 by the service's token-signing key
/// (Key Vault in Azure). <c>sub</c> is the MyKey ID; <c>aud</c> holds this API's audience and,
/// when the login named one, the service client it was for; <c>kid</c> names the key version in
/// the JWKS. Validation checks the header, the signature, <c>iss</c>, <c>aud</c> and the times.
/// </summary>
public sealed class AccessTokens(IKeyService keys, AuthOptions options, TimeProvider timeProvider)
{
    private const int MaxTokenLength = 4096;

    public async Task<IssuedToken> IssueAsync(Citizen citizen, string? clientAudience, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        var key = await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var expires = now + options.TokenLifetime;
        var header = new TokenHeader("ES256", "JWT", key.Kid);
        var audience = clientAudience is null ? [options.Audience] : new[] { options.Audience, clientAudience };
        var claims = new TokenClaims(
            options.Issuer, citizen.MyKeyId, audience, now.ToUnixTimeSeconds(), now.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds(),
            Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)), citizen.CertificateSerialNumber, citizen.CertificateNotAfter.ToUnixTimeSeconds());

        var signingInput = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header, TokenJson.Default.TokenHeader))
            + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims, TokenJson.Default.TokenClaims));
        var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, System.Text.Encoding.ASCII.GetBytes(signingInput), cancellationToken);
        return new IssuedToken(signingInput + "." + Base64Url.EncodeToString(signature.Signature), expires, (int)options.TokenLifetime.TotalSeconds);
    }

    /// <summary>The citizen a token names, or <c>unauthenticated</c>.</summary>
    public async Task<Citizen> ValidateAsync(string token, CancellationToken cancellationToken = default)
    {
        // RFC 7515 §5.2: three base64url parts, a JSON header we understand, a valid signature.
        var parts = token.Length <= MaxTokenLength ? token.Split('.') : [];
        if (parts.Length != 3 || !TryDecode(parts[0], out var headerBytes) || !TryDecode(parts[1], out var claimsBytes) || !TryDecode(parts[2], out var signature))
        {
            throw Refused("The access token is malformed.");
        }

        var header = Deserialize(headerBytes, TokenJson.Default.TokenHeader);
        if (header is not { Alg: "ES256", Kid.Length: > 0 } || signature.Length != 64)
        {
            throw Refused("The access token is not an ES256 token of this service.");
        }

        var signingInput = System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!await keys.VerifyAsync(ServiceKeyNames.TokenSigning, header.Kid, signingInput, signature, cancellationToken))
        {
            throw Refused("The access token's signature is not valid.");
        }

        // RFC 7519 §4.1: iss, aud, exp, nbf.
        var claims = Deserialize(claimsBytes, TokenJson.Default.TokenClaims);
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)options.ClockSkew.TotalSeconds;
        if (claims is null || claims.Iss != options.Issuer || claims.Aud?.Contains(options.Audience, StringComparer.Ordinal) != true
            || string.IsNullOrEmpty(claims.Sub) || string.IsNullOrEmpty(claims.CertificateSerialNumber))
        {
            throw Refused("The access token was not issued for this API.");
        }

        if (claims.Exp + skew <= now || claims.Nbf - skew > now)
        {
            throw Refused("The access token has expired.");
        }

        return new Citizen(claims.Sub, claims.CertificateSerialNumber, DateTimeOffset.FromUnixTimeSeconds(claims.CertificateNotAfter), DateTimeOffset.FromUnixTimeSeconds(claims.Iat));
    }

    private static bool TryDecode(string part, out byte[] bytes)
    {
        bytes = [];
        if (part.Length == 0 || !Base64Url.IsValid(part) || part.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        bytes = Base64Url.DecodeFromChars(part);
        return true;
    }

    private static T? Deserialize<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static ServiceException Refused(string detail) => new(ErrorCodes.Unauthenticated, detail);
}

/// <summary>An issued access token.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt, int ExpiresIn);

internal sealed record TokenHeader(
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("typ")] string? Typ,
    [property: JsonPropertyName("kid")] string Kid);

internal sealed record TokenClaims(
    [property: JsonPropertyName("iss")] string Iss,
    [property: JsonPropertyName("sub")] string Sub,
    [property: JsonPropertyName("aud")] string[]? Aud,
    [property: JsonPropertyName("iat")] long Iat,
    [property: JsonPropertyName("nbf")] long Nbf,
    [property: JsonPropertyName("exp")] long Exp,
    [property: JsonPropertyName("jti")] string Jti,
    [property: JsonPropertyName("cert_sn")] string CertificateSerialNumber,
    [property: JsonPropertyName("cert_exp")] long CertificateNotAfter);

[JsonSerializable(typeof(TokenHeader))]
[JsonSerializable(typeof(TokenClaims))]
internal sealed partial class TokenJson : JsonSerializerContext;
