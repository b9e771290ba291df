using System.Text.Json.Serialization;
using ServerlessMyKey.Core.Signatures;

namespace ServerlessMyKey.Core.Oidc;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HolderClaims))]
[JsonSerializable(typeof(EncryptedEnvelope))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class OidcJson : JsonSerializerContext;
