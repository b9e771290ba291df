using System.Formats.Asn1;

namespace ServerlessMyKey.Jpki.Asn1;

/// <summary>
/// A minimal allocation-free DER reader (single-octet tags, definite lengths) for the one loop that
/// must be fast: the millions of revokedCertificates entries of a CRL. Everything else uses
/// <see cref="AsnReader"/>.
/// </summary>
internal ref struct DerSpanReader
{
    public const byte Integer = 0x02;
    public const byte OctetString = 0x04;
    public const byte Enumerated = 0x0A;
    public const byte Boolean = 0x01;
    public const byte ObjectIdentifier = 0x06;
    public const byte Sequence = 0x30;
    public const byte UtcTime = 0x17;
    public const byte GeneralizedTime = 0x18;

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    private ReadOnlySpan<byte> _data;

    public DerSpanReader(ReadOnlySpan<byte> data) => _data = data;

    public readonly bool HasData => !_data.IsEmpty;

    public readonly byte PeekTag() => _data.IsEmpty ? throw new AsnContentException("Unexpected end of data.") : _data[0];

    /// <summary>Reads one element with the expected tag and returns its contents.</summary>
    public ReadOnlySpan<byte> Read(byte expectedTag)
    {
        var contents = ReadAny(out var tag);
        return tag == expectedTag ? contents : throw new AsnContentException("Unexpected tag.");
    }

    /// <summary>Reads one element and returns its contents and tag.</summary>
    public ReadOnlySpan<byte> ReadAny(out byte tag)
    {
        if (_data.Length < 2)
        {
            throw new AsnContentException("Unexpected end of data.");
        }

        tag = _data[0];
        if ((tag & 0x1F) == 0x1F)
        {
            throw new AsnContentException("Multi-octet tags are not expected here.");
        }

        int length = _data[1];
        var header = 2;
        if (length >= 0x80)
        {
            var octets = length & 0x7F;
            if (octets is 0 or > 4 || _data.Length < 2 + octets)
            {
                throw new AsnContentException("Unsupported or truncated length.");
            }

            long value = 0;
            for (var i = 0; i < octets; i++)
            {
                value = (value << 8) | _data[2 + i];
            }

            // DER: the shortest length form.
            if (value < 0x80 || (octets > 1 && value < 1L << (8 * (octets - 1))) || value > int.MaxValue)
            {
                throw new AsnContentException("Non-minimal or oversized length.");
            }

            length = (int)value;
            header += octets;
        }

        if (_data.Length - header < length)
        {
            throw new AsnContentException("Truncated element.");
        }

        var contents = _data.Slice(header, length);
        _data = _data[(header + length)..];
        return contents;
    }

    /// <summary>RFC 5280 §4.1.2.5.1/2 UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) as Unix seconds.</summary>
    public long ReadTimeAsUnixSeconds()
    {
        var value = ReadAny(out var tag);
        int year;
        ReadOnlySpan<byte> rest;
        if (tag == UtcTime && value.Length == 13)
        {
            year = Digits(value[..2]);
            year += year >= 50 ? 1900 : 2000;
            rest = value[2..];
        }
        else if (tag == GeneralizedTime && value.Length == 15)
        {
            year = Digits(value[..4]);
            rest = value[4..];
        }
        else
        {
            throw new AsnContentException("Expected a UTCTime or GeneralizedTime in Zulu form.");
        }

        if (rest[10] != (byte)'Z')
        {
            throw new AsnContentException("Time is not in UTC.");
        }

        try
        {
            var time = new DateTime(year, Digits(rest[..2]), Digits(rest[2..4]), Digits(rest[4..6]), Digits(rest[6..8]), Digits(rest[8..10]), DateTimeKind.Utc);
            return (time.Ticks - UnixEpochTicks) / TimeSpan.TicksPerSecond;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new AsnContentException("Invalid date.", e);
        }
    }

    private static int Digits(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var digit in digits)
        {
            var d = digit - (byte)'0';
            if ((uint)d > 9)
            {
                throw new AsnContentException("Expected a digit.");
            }

            value = (value * 10) + d;
        }

        return value;
    }
}
