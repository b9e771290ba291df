using System.Buffers.Text;
using System.Text;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Keys;

/// <summary>
/// Compact JWS (RFC 7515) signed ES256 by the token-signing key, whose header's <c>kid</c> is the key
/// version that actually signed: the version read for the header and the one the signing call used
/// differ when the key rotates in between, and then the JWS is signed again naming the new version.
/// </summary>
public static class ServiceJws
{
    /// <param name="header">The protected header for a key id (the caller puts <c>alg</c>, <c>typ</c> and this <c>kid</c> in it).</param>
    public static async Task<string> SignAsync(IKeyService keys, Func<string, byte[]> header, byte[] payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(header);
        var kid = (await keys.GetPublicKeyAsync(ServiceKeyNames.TokenSigning, cancellationToken)).Kid;
        var encodedPayload = Base64Url.EncodeToString(payload);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var signingInput = Base64Url.EncodeToString(header(kid)) + "." + encodedPayload;
            var signature = await keys.SignAsync(ServiceKeyNames.TokenSigning, Encoding.ASCII.GetBytes(signingInput), cancellationToken);
            if (string.Equals(signature.KeyId, kid, StringComparison.Ordinal))
            {
                return signingInput + "." + Base64Url.EncodeToString(signature.Signature);
            }

            kid = signature.KeyId; // rotated between the two calls: sign again under the version that signs now
        }

        throw new ServiceException(ErrorCodes.DependencyUnavailable, "The token-signing key changed during every signing attempt.");
    }
}
