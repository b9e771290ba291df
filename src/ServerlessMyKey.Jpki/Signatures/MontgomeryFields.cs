using System.Buffers.Binary;
using System.Numerics;

namespace ServerlessMyKey.Jpki.Signatures;

/// <summary>
/// Fills a libcrypto <c>BN_MONT_CTX</c> for a modulus seen once (a card's key) at half the cost of
/// <c>BN_MONT_CTX_set</c>, whose binary inversion of the low word in big numbers is most of its time: <c>n0</c>
/// (−n⁻¹ mod 2⁶⁴) is computed here by Newton's iteration, and <c>RR</c> (2^(2·ri) mod n) by a division half
/// as long as <c>BN_MONT_CTX_set</c>'s and one Montgomery squaring.
/// </summary>
/// <remarks>
/// The context is opaque in OpenSSL's headers; its layout — <c>{ int ri; BIGNUM RR, N, Ni; BN_ULONG n0[2]; int flags; }</c>,
/// unchanged from OpenSSL 1.0.2 to 3.x — is used only after <see cref="Probe"/> has shown, on the libcrypto
/// actually loaded, that contexts filled here equal those of <c>BN_MONT_CTX_set</c> field by field (ri, RR, N,
/// n0) and give the same exponentiation, for moduli of several lengths. Anything else and every context comes
/// from <c>BN_MONT_CTX_set</c>. Only the modulus, <c>RR</c> and <c>n0</c> are read by the Montgomery
/// multiplication; the embedded numbers are written through libcrypto's own functions.
/// </remarks>
internal static unsafe class MontgomeryFields
{
    private const int RiOffset = 0;
    private const int RROffset = 8;
    private const int NOffset = 32;
    private const int N0Offset = 80;

    /// <summary>Fills <paramref name="montgomery"/> for <paramref name="modulus"/> (odd, big-endian, first octet not zero), already in <paramref name="modulusNumber"/>.</summary>
    /// <param name="temporary">A number this call may overwrite.</param>
    public static bool TryFill(OpenSslBigNumbers.Functions native, nint montgomery, nint modulusNumber, ReadOnlySpan<byte> modulus, nint temporary, nint context)
    {
        var ri = ((modulus.Length * 8) - BitOperations.LeadingZeroCount((uint)modulus[0]) + 24 + 63) / 64 * 64;
        var n = montgomery + NOffset;
        if (native.Copy(n, modulusNumber) == 0)
        {
            return false;
        }

        *(int*)(montgomery + RiOffset) = ri;
        var n0 = (ulong*)(montgomery + N0Offset);
        n0[0] = NegatedInverse(BinaryPrimitives.ReadUInt64BigEndian(modulus[^8..]));
        n0[1] = 0;

        // RR = R² mod n. Half the division BN_MONT_CTX_set does: x = 2^(ri + ri/2) mod n is the Montgomery form of
        // 2^(ri/2), and one Montgomery squaring of it gives x²/R = 2^(2·ri) mod n.
        return native.SetWord(temporary, 0) == 1
            && native.SetBit(temporary, ri + (ri / 2)) == 1
            && native.Div(0, temporary, temporary, n, context) == 1
            && native.MulMont(montgomery + RROffset, temporary, temporary, montgomery, context) == 1;
    }

    /// <summary>−a⁻¹ mod 2⁶⁴ for odd <paramref name="a"/>: Newton's iteration doubles the correct low bits (3 → 96).</summary>
    internal static ulong NegatedInverse(ulong a)
    {
        var inverse = a; // a·a ≡ 1 (mod 8) for odd a
        for (var i = 0; i < 5; i++)
        {
            inverse *= 2 - (a * inverse);
        }

        return 0 - inverse;
    }

    /// <summary>
    /// Whether contexts filled by <see cref="TryFill"/> equal libcrypto's own on this libcrypto: for moduli of
    /// 2048, 2056, 3072 and 4096 bits, ri, RR, N and n0 compared with <c>BN_MONT_CTX_set</c>'s, and one
    /// exponentiation compared under both.
    /// </summary>
    public static bool Probe(OpenSslBigNumbers.Functions native)
    {
        var context = native.CtxNew();
        var numbers = new nint[7];
        var contexts = new nint[2];
        try
        {
            for (var i = 0; i < numbers.Length; i++)
            {
                numbers[i] = native.BnNew();
            }

            contexts[0] = native.MontNew();
            contexts[1] = native.MontNew();
            if (context == 0 || numbers.Any(number => number == 0) || contexts.Any(c => c == 0))
            {
                return false;
            }

            var random = new Random(20161129);
            foreach (var length in (ReadOnlySpan<int>)[256, 257, 384, 512])
            {
                var modulus = new byte[length];
                random.NextBytes(modulus);
                modulus[0] |= 0x80;
                modulus[^1] |= 1;
                var basis = modulus.ToArray();
                basis[0] = 0x5A;
                if (!SameContext(native, modulus, basis, numbers, contexts, context))
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            foreach (var c in contexts.Where(c => c != 0))
            {
                native.MontFree(c);
            }

            foreach (var number in numbers.Where(n => n != 0))
            {
                native.BnFree(number);
            }

            if (context != 0)
            {
                native.CtxFree(context);
            }
        }
    }

    private static bool SameContext(OpenSslBigNumbers.Functions native, byte[] modulus, byte[] basis, nint[] numbers, nint[] contexts, nint context)
    {
        var (n, b, r0, r1, t, a, x) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6]);
        var (reference, filled) = (contexts[0], contexts[1]);
        fixed (byte* pModulus = modulus)
        fixed (byte* pBasis = basis)
        {
            if (native.Bin2Bn(pModulus, modulus.Length, n) == 0 || native.Bin2Bn(pBasis, basis.Length, b) == 0
                || native.MontSet(reference, n, context) != 1 || !TryFill(native, filled, n, modulus, x, context))
            {
                return false;
            }
        }

        return *(int*)(reference + RiOffset) == *(int*)(filled + RiOffset)
            && native.Cmp(reference + RROffset, filled + RROffset) == 0
            && native.Cmp(reference + NOffset, n) == 0
            && native.Cmp(filled + NOffset, n) == 0
            && *(ulong*)(reference + N0Offset) == *(ulong*)(filled + N0Offset)
            && *(ulong*)(reference + N0Offset + 8) == 0
            && OpenSslBigNumbers.Exponentiate65537(native, r0, b, reference, context, t, a)
            && OpenSslBigNumbers.Exponentiate65537(native, r1, b, filled, context, t, a)
            && native.Cmp(r0, r1) == 0;
    }
}
