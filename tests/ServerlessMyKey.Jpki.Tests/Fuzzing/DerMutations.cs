using CsCheck;

namespace ServerlessMyKey.Jpki.Tests.Fuzzing;

/// <summary>
/// Mutations of a valid DER structure, as generators: bit flips, truncation, corrupted length fields
/// (found by walking the seed's TLVs), deep nesting, inserted and spliced bytes — one to three at a time.
/// </summary>
internal static class DerMutations
{
    private enum Kind
    {
        FlipBits,
        Truncate,
        CorruptLength,
        DeepNesting,
        Insert,
        Splice,
    }

    /// <summary>Mutated copies of <paramref name="seed"/>.</summary>
    public static Gen<byte[]> Of(byte[] seed)
    {
        var lengths = LengthOffsets(seed);
        var one = Gen.Select(Gen.Enum<Kind>(), Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Byte.Array[1, 16], (kind, a, b, bytes) => (kind, a, b, bytes));
        return one.Array[1, 3].Select(mutations =>
        {
            var data = seed;
            foreach (var (kind, a, b, bytes) in mutations)
            {
                data = Apply(data, lengths, kind, a, b, bytes);
            }

            return data;
        });
    }

    private static byte[] Apply(byte[] data, IReadOnlyList<(int Offset, int Count)> lengths, Kind kind, int a, int b, byte[] bytes)
    {
        if (data.Length == 0)
        {
            return bytes;
        }

        switch (kind)
        {
            case Kind.FlipBits:
                var flipped = (byte[])data.Clone();
                for (var i = 0; i <= b % 8; i++)
                {
                    var bit = (int)(((long)a + ((long)i * 7919)) % ((long)data.Length * 8));
                    flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                }

                return flipped;
            case Kind.Truncate:
                return data[..(a % data.Length)];
            case Kind.CorruptLength when lengths.Count > 0:
                var (offset, count) = lengths[a % lengths.Count];
                if (offset + count > data.Length)
                {
                    return data;
                }

                byte[] replacement = (b % 6) switch
                {
                    0 => [0x80], // indefinite (not DER)
                    1 => [0x84, 0xFF, 0xFF, 0xFF, 0xFF], // 4 GiB
                    2 => [0x88, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], // 2^63 - 1
                    3 => [0x81, (byte)(data[offset] & 0x7F)], // non-minimal long form
                    4 => [(byte)(data[offset] + 1)],
                    _ => [bytes[0]],
                };
                return [.. data[..offset], .. replacement, .. data[(offset + count)..]];
            case Kind.DeepNesting:
                // SEQUENCEs nested up to 20,000 deep around the whole input or an element inside it.
                var depth = 1 + (b % 20_000);
                var at = lengths.Count == 0 ? 0 : Math.Min(data.Length, lengths[a % lengths.Count].Offset - 1);
                return [.. data[..at], .. Nest(data[at..], depth, indefinite: a % 2 == 0)];
            case Kind.Insert:
                var position = a % (data.Length + 1);
                return [.. data[..position], .. bytes, .. data[position..]];
            case Kind.Splice:
                var from = a % data.Length;
                var length = Math.Min(1 + (b % 64), data.Length - from);
                var to = b % data.Length;
                return [.. data[..to], .. data.AsSpan(from, length), .. data[to..]];
            default:
                return data;
        }
    }

    private static byte[] Nest(byte[] inner, int depth, bool indefinite)
    {
        if (indefinite)
        {
            // 30 80 … 00 00: BER, which DER parsers must refuse without recursing without bound.
            var open = Enumerable.Repeat<byte[]>([0x30, 0x80], depth).SelectMany(x => x);
            return [.. open, .. inner, .. new byte[depth * 2]];
        }

        var result = inner;
        for (var i = 0; i < depth; i++)
        {
            result = [0x30, .. EncodeLength(result.Length), .. result];
        }

        return result;
    }

    private static byte[] EncodeLength(int length) => length switch
    {
        < 0x80 => [(byte)length],
        < 0x100 => [0x81, (byte)length],
        < 0x10000 => [0x82, (byte)(length >> 8), (byte)length],
        < 0x1000000 => [0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length],
        _ => [0x84, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length],
    };

    // Offsets and sizes of the length octets of every TLV in a DER seed (single-octet tags; the seeds have no others).
    private static List<(int Offset, int Count)> LengthOffsets(byte[] der)
    {
        var found = new List<(int, int)>();
        Walk(der, 0, der.Length, found, 0);
        return found;
    }

    private static void Walk(byte[] der, int start, int end, List<(int, int)> found, int level)
    {
        var position = start;
        while (position + 2 <= end && level < 64)
        {
            var tag = der[position];
            var lengthOffset = position + 1;
            int length, count;
            if (der[lengthOffset] < 0x80)
            {
                (length, count) = (der[lengthOffset], 1);
            }
            else
            {
                count = 1 + (der[lengthOffset] & 0x7F);
                if (count > 5 || lengthOffset + count > end)
                {
                    return;
                }

                length = 0;
                for (var i = 1; i < count; i++)
                {
                    length = (length << 8) | der[lengthOffset + i];
                }
            }

            var content = lengthOffset + count;
            if (length < 0 || content + length > end)
            {
                return;
            }

            found.Add((lengthOffset, count));
            var constructed = (tag & 0x20) != 0;
            var wrapsDer = tag is 0x04 or 0x03 && length > 2; // OCTET/BIT STRINGs that hold DER (extensions, keys)
            if (constructed)
            {
                Walk(der, content, content + length, found, level + 1);
            }
            else if (wrapsDer)
            {
                Walk(der, content + (tag == 0x03 ? 1 : 0), content + length, found, level + 1);
            }

            position = content + length;
        }
    }
}
