using System.Formats.Asn1;
using ServerlessMyKey.Jpki.Asn1;

namespace ServerlessMyKey.Jpki.Signatures;

/// <summary>
/// Tells why an RSASSA-PKCS1-v1_5 signature failed to verify as SHA-256: recovers the encoded message
/// (RFC 8017 §8.2.2 steps 2a–2c) and reads the digest algorithm out of its DigestInfo (§9.2).
/// </summary>
/// <remarks>
/// A JPKI card pads whatever DigestInfo the client sends, so a client that hashed with SHA-1 yields a
/// genuine signature over the wrong DigestInfo. A well-formed type-1 block can only come from the
/// private key, so naming its algorithm reveals nothing an attacker could use. Runs only on the
/// failure path; valid signatures are verified by comparing with the rebuilt encoding (<see cref="RsaPublicKey"/>).
/// </remarks>
internal static class Pkcs1DigestInfo
{
    /// <summary>The DigestInfo's algorithm OID, or null when the signature is no well-formed PKCS#1 v1.5 signature by this key.</summary>
    public static string? RecoverDigestAlgorithm(RsaPublicKey key, ReadOnlySpan<byte> signature)
    {
        var encoded = new byte[key.Length];
        if (!key.TryRecover(signature, encoded))
        {
            return null;
        }

        // EM = 0x00 || 0x01 || PS (at least eight 0xFF) || 0x00 || DigestInfo
        if (encoded[0] != 0x00 || encoded[1] != 0x01)
        {
            return null;
        }

        var separator = 2;
        while (separator < encoded.Length && encoded[separator] == 0xFF)
        {
            separator++;
        }

        if (separator - 2 < 8 || separator >= encoded.Length || encoded[separator] != 0x00)
        {
            return null;
        }

        try
        {
            // DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
            var reader = new AsnReader(encoded.AsMemory(separator + 1), AsnEncodingRules.DER);
            var digestInfo = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var algorithm = DerReaders.ReadAlgorithmIdentifier(digestInfo);
            digestInfo.ReadOctetString();
            digestInfo.ThrowIfNotEmpty();
            return algorithm;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
