namespace ServerlessMyKey.Core.Oidc;

/// <summary>OpenID Connect Discovery 1.0 §3: what this provider supports, and nothing it does not.</summary>
public static class DiscoveryDocument
{
    public static IReadOnlyDictionary<string, object> For(OidcOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["issuer"] = options.Issuer,
            ["authorization_endpoint"] = options.AuthorizationEndpoint,
            ["token_endpoint"] = options.TokenEndpoint,
            ["userinfo_endpoint"] = options.UserinfoEndpoint,
            ["jwks_uri"] = options.JwksUri,
            ["scopes_supported"] = new[] { AuthorizationRequests.OpenIdScope, AuthorizationRequests.Basic4Scope },
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query" },
            ["grant_types_supported"] = new[] { "authorization_code" },
            ["subject_types_supported"] = new[] { "pairwise" },
            ["id_token_signing_alg_values_supported"] = new[] { "ES256" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "private_key_jwt" },
            ["token_endpoint_auth_signing_alg_values_supported"] = new[] { "RS256", "PS256", "ES256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["claims_supported"] = new[] { "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp", "name", "address", "birthdate", "gender" },
            ["prompt_values_supported"] = AuthorizationRequests.PromptValues,
            ["claims_parameter_supported"] = false,
            ["request_parameter_supported"] = false,
            ["request_uri_parameter_supported"] = false,
        };
    }
}
