using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using ServerlessMyKey.Jpki.Asn1;

namespace ServerlessMyKey.Jpki.Revocation;

/// <summary>
/// The revoked serial numbers of one CRL as a sorted array of fixed-width keys: binary search in
/// O(log n), about (width + 8) bytes per entry, built once per CRL change.
/// </summary>
/// <remarks>
/// Keys are the serial numbers as positive big-endian integers without sign octet, left-padded with
/// zeros to the widest serial of the CRL, so byte order is numeric order and equal numbers have equal
/// keys. Each entry's revocation time (Unix seconds) and reason code are packed into one long.
/// </remarks>
internal sealed class RevokedSerialIndex
{
    private const int MaxSerialLength = 32;
    private const byte NoReason = 0xFF;

    // CRL entry extensions (RFC 5280 §5.3): contents octets of their OIDs.
    private static ReadOnlySpan<byte> ReasonCodeOid => [0x55, 0x1D, 0x15];

    private static ReadOnlySpan<byte> InvalidityDateOid => [0x55, 0x1D, 0x18];

    private static ReadOnlySpan<byte> HoldInstructionCodeOid => [0x55, 0x1D, 0x17];

    private static ReadOnlySpan<byte> CertificateIssuerOid => [0x55, 0x1D, 0x1D];

    private readonly byte[] _keys;
    private readonly long[] _entries;

    private RevokedSerialIndex(byte[] keys, long[] entries, int width)
    {
        _keys = keys;
        _entries = entries;
        Width = width;
    }

    public int Count => _entries.Length;

    /// <summary>Octets per key: the longest serial number in the CRL.</summary>
    public int Width { get; }

    /// <summary>Bytes held by the index.</summary>
    public long SizeInBytes => _keys.Length + (_entries.Length * sizeof(long));

    /// <summary>Finds a serial number (positive, big-endian, no leading zero octets).</summary>
    public bool TryFind(ReadOnlySpan<byte> serialNumber, out DateTimeOffset revokedAt, out X509RevocationReason? reason)
    {
        revokedAt = default;
        reason = null;
        if (serialNumber.Length > Width)
        {
            return false;
        }

        Span<byte> key = stackalloc byte[Width];
        key[..(Width - serialNumber.Length)].Clear();
        serialNumber.CopyTo(key[(Width - serialNumber.Length)..]);

        var low = 0;
        var high = Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var comparison = _keys.AsSpan(middle * Width, Width).SequenceCompareTo(key);
            if (comparison == 0)
            {
                var entry = _entries[middle];
                revokedAt = DateTimeOffset.FromUnixTimeSeconds(entry >> 8);
                var code = (byte)(entry & 0xFF);
                reason = code == NoReason ? null : (X509RevocationReason)code;
                return true;
            }

            if (comparison < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return false;
    }

    /// <summary>
    /// Builds the index from the contents of revokedCertificates (RFC 5280 §5.1.2.6) in two passes:
    /// the first finds the count and key width, the second fills the arrays.
    /// </summary>
    /// <exception cref="AsnContentException">An entry is malformed, or the CRL is indirect or has an unknown critical entry extension.</exception>
    public static RevokedSerialIndex Build(ReadOnlySpan<byte> revokedCertificates)
    {
        var (count, width) = Measure(revokedCertificates);
        var keys = new byte[count * width];
        var entries = new long[count];
        var filled = 0;
        var sorted = true;
        var reader = new DerSpanReader(revokedCertificates);
        while (reader.HasData)
        {
            var entry = new DerSpanReader(reader.Read(DerSpanReader.Sequence));
            var serial = entry.Read(DerSpanReader.Integer);
            var revokedAt = entry.ReadTimeAsUnixSeconds();
            var reason = entry.HasData ? ReadEntryExtensions(entry.Read(DerSpanReader.Sequence)) : NoReason;
            if (entry.HasData)
            {
                throw new AsnContentException("Unexpected data in a revoked certificate entry.");
            }

            // removeFromCRL belongs in delta CRLs only; a negative serial cannot belong to a certificate this library accepts.
            if (reason == (byte)X509RevocationReason.RemoveFromCrl || (serial[0] & 0x80) != 0)
            {
                continue;
            }

            serial = DerReaders.StripLeadingZeros(serial);
            var key = keys.AsSpan(filled * width, width);
            serial.CopyTo(key[(width - serial.Length)..]);
            entries[filled] = (revokedAt << 8) | reason;
            if (filled > 0 && sorted && keys.AsSpan((filled - 1) * width, width).SequenceCompareTo(key) > 0)
            {
                sorted = false;
            }

            filled++;
        }

        if (filled < count)
        {
            Array.Resize(ref keys, filled * width);
            Array.Resize(ref entries, filled);
        }

        return sorted ? new RevokedSerialIndex(keys, entries, width) : Sorted(keys, entries, width);
    }

    private static (int Count, int Width) Measure(ReadOnlySpan<byte> revokedCertificates)
    {
        var count = 0;
        var width = 1;
        var reader = new DerSpanReader(revokedCertificates);
        while (reader.HasData)
        {
            var entry = new DerSpanReader(reader.Read(DerSpanReader.Sequence));
            var serial = entry.Read(DerSpanReader.Integer);
            if (serial.IsEmpty)
            {
                throw new AsnContentException("Empty serial number.");
            }

            var length = DerReaders.StripLeadingZeros(serial).Length;
            if (length > MaxSerialLength)
            {
                throw new AsnContentException("Serial number longer than 32 octets.");
            }

            width = Math.Max(width, length);
            count++;
        }

        return (count, width);
    }

    // crlEntryExtensions: the reason code is kept; unknown critical ones make the CRL unusable (RFC 5280 §5.3).
    private static byte ReadEntryExtensions(ReadOnlySpan<byte> extensions)
    {
        var reason = NoReason;
        var reader = new DerSpanReader(extensions);
        while (reader.HasData)
        {
            var extension = new DerSpanReader(reader.Read(DerSpanReader.Sequence));
            var oid = extension.Read(DerSpanReader.ObjectIdentifier);
            var critical = extension.PeekTag() == DerSpanReader.Boolean && extension.Read(DerSpanReader.Boolean) is [not 0];
            var value = extension.Read(DerSpanReader.OctetString);
            if (oid.SequenceEqual(ReasonCodeOid))
            {
                var code = new DerSpanReader(value).Read(DerSpanReader.Enumerated);
                if (code is not [var c] || c > (byte)X509RevocationReason.AACompromise || c == 7)
                {
                    throw new AsnContentException("Unknown CRL reason code.");
                }

                reason = code[0];
            }
            else if (oid.SequenceEqual(CertificateIssuerOid))
            {
                throw new AsnContentException("Indirect CRLs are not supported.");
            }
            else if (critical && !oid.SequenceEqual(InvalidityDateOid) && !oid.SequenceEqual(HoldInstructionCodeOid))
            {
                throw new AsnContentException("Unknown critical CRL entry extension.");
            }
        }

        return reason;
    }

    private static RevokedSerialIndex Sorted(byte[] keys, long[] entries, int width)
    {
        var order = new int[entries.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, new KeyComparer(keys, width));
        var sortedKeys = new byte[keys.Length];
        var sortedEntries = new long[entries.Length];
        for (var i = 0; i < order.Length; i++)
        {
            keys.AsSpan(order[i] * width, width).CopyTo(sortedKeys.AsSpan(i * width, width));
            sortedEntries[i] = entries[order[i]];
        }

        return new RevokedSerialIndex(sortedKeys, sortedEntries, width);
    }

    private sealed class KeyComparer(byte[] keys, int width) : IComparer<int>
    {
        public int Compare(int x, int y) => keys.AsSpan(x * width, width).SequenceCompareTo(keys.AsSpan(y * width, width));
    }
}
