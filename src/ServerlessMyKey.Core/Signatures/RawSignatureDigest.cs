using System.Security.Cryptography;
using ServerlessMyKey.Core.Binary;
using ServerlessMyKey.Core.Errors;

namespace ServerlessMyKey.Core.Signatures;

/// <summary>
/// The SHA-256 digest a raw signature request is over (JPKI signatures and HPKI verifications alike): exactly one of
/// <c>data</c> (hashed here) and <c>digest</c> (32 bytes as sent); anything else is <c>invalid_request</c>.
/// </summary>
public static class RawSignatureDigest
{
    public static byte[] FromRequest(string? data, string? digest)
    {
        if ((data is null) == (digest is null))
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "Send exactly one of 'data' and 'digest' with a raw signature.");
        }

        var result = data is not null ? SHA256.HashData(Base64Input.Decode(data, "data")) : Base64Input.Decode(digest, "digest", 64);
        if (result.Length != SHA256.HashSizeInBytes)
        {
            throw new ServiceException(ErrorCodes.InvalidRequest, "'digest' must be a SHA-256 digest (32 bytes).");
        }

        return result;
    }
}
