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
/// when the login named one, the service client it was for, which is also <c>client_id</c>
/// (RFC 9068 §2.2): such a token is bound to that client (docs/auth.md "Token binding"); <c>kid</c>
/// names the key version in the JWKS. Validation checks the header, the signature, <c>iss</c>,
/// <c>aud</c> and the times.
/// </summary>
public sealed class AccessTokens(IKeyService keys, AuthOptions options, TimeProvider timeProvider)
{
    private const int MaxTokenLength = 4096;

    /// <summary>The JOSE <c>typ</c> of access tokens (RFC 9068).</summary>
    public const string TokenType = "at+jwt";

    public async Task<IssuedToken> IssueAsync(Citizen citizen, string? clientAudience, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(citizen);
        var now = timeProvider.GetUtcNow();
        var expires = now + options.TokenLifetime;
        var audience = clientAudience is null ? [options.Audience] : new[] { options.Audience, clientAudience };
        var claims = new TokenClaims(
            options.Issuer, citizen.MyKeyId, audience, now.ToUnixTimeSeconds(), now.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds(),
            Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)), citizen.CertificateSerialNumber, citizen.CertificateNotAfter.ToUnixTimeSeconds(), clientAudience);

        // RFC 9068 §2.1: typed at+jwt, so that receipts and delegation seals of the same key are never taken for tokens.
        var token = await ServiceJws.SignAsync(
            keys, kid => JsonSerializer.SerializeToUtf8Bytes(new TokenHeader("ES256", TokenType, kid), TokenJson.Default.TokenHeader),
            JsonSerializer.SerializeToUtf8Bytes(claims, TokenJson.Default.TokenClaims), cancellationToken);
        return new IssuedToken(token, expires, (int)options.TokenLifetime.TotalSeconds);
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

        // RFC 8725 §3.11, RFC 9068 §4: explicit typing, so no other JWS of the same key passes as a token.
        if (!string.Equals(header.Typ, TokenType, StringComparison.OrdinalIgnoreCase) && !string.Equals(header.Typ, "application/" + TokenType, StringComparison.OrdinalIgnoreCase))
        {
            throw Refused("The access token is not typed at+jwt.");
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

        // A client's token names it in client_id and aud; any other audience binds the token too (fail closed).
        var clientId = claims.ClientId ?? claims.Aud.FirstOrDefault(a => !string.Equals(a, options.Audience, StringComparison.Ordinal));
        if (clientId is not null && claims.Aud.Any(a => a != options.Audience && a != clientId))
        {
            throw Refused("The access token names more than one client.");
        }

        return new Citizen(claims.Sub, claims.CertificateSerialNumber, DateTimeOffset.FromUnixTimeSeconds(claims.CertificateNotAfter), clientId, DateTimeOffset.FromUnixTimeSeconds(claims.Iat));
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
    [property: JsonPropertyName("cert_exp")] long CertificateNotAfter,
    [property: JsonPropertyName("client_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId = null);

[JsonSerializable(typeof(TokenHeader))]
[JsonSerializable(typeof(TokenClaims))]
internal sealed partial class TokenJson : JsonSerializerContext;
