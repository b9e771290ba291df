using System.Runtime.InteropServices;

namespace ServerlessMyKey.Jpki.Signatures;

/// <summary>
/// The RSA public operation <c>s^65537 mod n</c> computed by OpenSSL's libcrypto big-number functions
/// (the library .NET itself uses on Linux), without building a key: the platform's RSA checks every
/// imported key, which costs 5–15 times the verification itself. Only the exponentiation runs here;
/// the caller checks <c>s &lt; n</c> and compares the result with the encoding it rebuilt.
/// </summary>
/// <remarks>
/// Loaded once, on Linux only (libcrypto.so.3, else libcrypto.so.1.1); anywhere else, or when a function
/// is missing, <see cref="IsAvailable"/> is false and callers use the platform's RSA. Every native
/// failure makes the operation false (fail closed). The Montgomery multiplications only read a
/// context, so the cached contexts of pinned roots are used from several threads at once, as OpenSSL's
/// own RSA keys use theirs; a key seen once gets its context in the calling thread's own
/// <c>BN_MONT_CTX</c>, filled by <see cref="MontgomeryFields"/> when its probe passed.
/// </remarks>
internal static unsafe class OpenSslBigNumbers
{
    private static readonly Functions? Native = Functions.Load();

    /// <summary>Whether libcrypto's functions were found.</summary>
    public static bool IsAvailable => Native is not null;

    /// <summary>
    /// Writes <paramref name="signature"/>^65537 mod <paramref name="modulus"/> big-endian into all of
    /// <paramref name="result"/> (as long as the modulus). The caller ensures signature &lt; modulus.
    /// </summary>
    public static bool TryPublicOperation(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> signature, Span<byte> result, MontgomeryContext? cached = null)
    {
        var native = Native ?? throw new InvalidOperationException("libcrypto is not available.");

        // The BN_CTX, the numbers and the one-time Montgomery context are the calling thread's own, allocated once and
        // reused: a verification allocates nothing native then. Every call overwrites what a previous one left in them.
        var scratch = ThreadScratch ??= Scratch.Create(native);
        if (scratch is null)
        {
            return false;
        }

        fixed (byte* pModulus = modulus)
        fixed (byte* pSignature = signature)
        fixed (byte* pResult = result)
        {
            if (native.Bin2Bn(pSignature, signature.Length, scratch.Signature) == 0)
            {
                return false;
            }

            var montgomery = cached?.Context ?? 0;
            if (montgomery == 0)
            {
                // A key seen once (a card's): its context is filled in the thread's own BN_MONT_CTX.
                if (native.Bin2Bn(pModulus, modulus.Length, scratch.Modulus) == 0
                    || !(FastContexts
                        ? MontgomeryFields.TryFill(native, scratch.Montgomery, scratch.Modulus, modulus, scratch.Accumulator, scratch.Context)
                        : native.MontSet(scratch.Montgomery, scratch.Modulus, scratch.Context) == 1))
                {
                    return false;
                }

                montgomery = scratch.Montgomery;
            }

            var computed = Exponentiate65537(native, scratch.Result, scratch.Signature, montgomery, scratch.Context, scratch.MontgomeryBasis, scratch.Accumulator)
                && native.Bn2BinPad(scratch.Result, pResult, result.Length) == result.Length;

            // The cached context's handle is read once above; without this its owner (and so the handle) may be
            // collected and its finalizer free the BN_MONT_CTX while libcrypto still multiplies in it.
            GC.KeepAlive(cached);
            return computed;
        }
    }

    /// <summary>
    /// <paramref name="result"/> = <paramref name="basis"/>^65537 mod n in n's Montgomery context: into the
    /// Montgomery domain, 16 squarings and one multiplication (65537 = 2¹⁶ + 1), out of it — 19 Montgomery
    /// multiplications, one fewer than <c>BN_mod_exp_mont</c> spends on a 17-bit exponent. The basis is below n.
    /// </summary>
    internal static bool Exponentiate65537(Functions native, nint result, nint basis, nint montgomery, nint context, nint montgomeryBasis, nint accumulator)
    {
        if (native.ToMont(montgomeryBasis, basis, montgomery, context) != 1 || native.Copy(accumulator, montgomeryBasis) == 0)
        {
            return false;
        }

        for (var i = 0; i < 16; i++)
        {
            if (native.MulMont(accumulator, accumulator, accumulator, montgomery, context) != 1)
            {
                return false;
            }
        }

        return native.MulMont(accumulator, accumulator, montgomeryBasis, montgomery, context) == 1
            && native.FromMont(result, accumulator, montgomery, context) == 1;
    }

    /// <summary>Whether one-time contexts are filled by <see cref="MontgomeryFields"/> (its probe passed on this libcrypto) rather than by <c>BN_MONT_CTX_set</c>.</summary>
    internal static bool FastContexts { get; } = Native is { } functions && MontgomeryFields.Probe(functions);

    [ThreadStatic]
    private static Scratch? ThreadScratch;

    /// <summary>One thread's BN_CTX, numbers and one-time Montgomery context, freed when the thread's last reference goes (finalizer).</summary>
    private sealed class Scratch
    {
        private readonly Functions _native;

        private Scratch(Functions native) => _native = native;

        ~Scratch()
        {
            foreach (var number in (ReadOnlySpan<nint>)[Signature, Modulus, Result, MontgomeryBasis, Accumulator])
            {
                if (number != 0)
                {
                    _native.BnFree(number);
                }
            }

            if (Montgomery != 0)
            {
                _native.MontFree(Montgomery);
            }

            if (Context != 0)
            {
                _native.CtxFree(Context);
            }
        }

        public nint Context { get; private init; }

        public nint Signature { get; private init; }

        public nint Modulus { get; private init; }

        public nint Result { get; private init; }

        public nint MontgomeryBasis { get; private init; }

        public nint Accumulator { get; private init; }

        public nint Montgomery { get; private init; }

        public static Scratch? Create(Functions native)
        {
            var scratch = new Scratch(native)
            {
                Context = native.CtxNew(),
                Signature = native.BnNew(),
                Modulus = native.BnNew(),
                Result = native.BnNew(),
                MontgomeryBasis = native.BnNew(),
                Accumulator = native.BnNew(),
                Montgomery = native.MontNew(),
            };
            if (scratch.Context == 0 || scratch.Signature == 0 || scratch.Modulus == 0 || scratch.Result == 0
                || scratch.MontgomeryBasis == 0 || scratch.Accumulator == 0 || scratch.Montgomery == 0)
            {
                return null; // the finalizer frees what was allocated
            }

            return scratch;
        }
    }

    /// <summary>The Montgomery context of a modulus, computed once for a key used many times (a pinned root); null when unavailable.</summary>
    public static MontgomeryContext? CreateMontgomeryContext(ReadOnlySpan<byte> modulus)
    {
        if (Native is not { } native)
        {
            return null;
        }

        // BN_MONT_CTX_set copies the modulus into the context: the number is needed only while it runs.
        var handle = new MontgomeryContext(native);
        var context = native.CtxNew();
        nint number = 0;
        try
        {
            fixed (byte* pModulus = modulus)
            {
                number = native.Bin2Bn(pModulus, modulus.Length, 0);
            }

            handle.Context = native.MontNew();
            if (context == 0 || number == 0 || handle.Context == 0 || native.MontSet(handle.Context, number, context) != 1)
            {
                handle.Dispose();
                return null;
            }

            return handle;
        }
        finally
        {
            if (number != 0)
            {
                native.BnFree(number);
            }

            if (context != 0)
            {
                native.CtxFree(context);
            }
        }
    }

    /// <summary>A native BN_MONT_CTX, freed when the owner is collected or disposed.</summary>
    internal sealed class MontgomeryContext : IDisposable
    {
        private readonly Functions _native;
        private int _disposed;

        internal MontgomeryContext(Functions native) => _native = native;

        ~MontgomeryContext() => Free();

        internal nint Context { get; set; }

        public void Dispose()
        {
            Free();
            GC.SuppressFinalize(this);
        }

        private void Free()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            if (Context != 0)
            {
                _native.MontFree(Context);
            }
        }
    }

    internal sealed class Functions
    {
        public delegate* unmanaged<nint> CtxNew;
        public delegate* unmanaged<nint, void> CtxFree;
        public delegate* unmanaged<byte*, int, nint, nint> Bin2Bn;
        public delegate* unmanaged<nint> BnNew;
        public delegate* unmanaged<nint, void> BnFree;
        public delegate* unmanaged<nint, byte*, int, int> Bn2BinPad;
        public delegate* unmanaged<nint> MontNew;
        public delegate* unmanaged<nint, nint, nint, int> MontSet;
        public delegate* unmanaged<nint, void> MontFree;
        public delegate* unmanaged<nint, nint, nint> Copy;
        public delegate* unmanaged<nint, ulong, int> SetWord;
        public delegate* unmanaged<nint, int, int> SetBit;
        public delegate* unmanaged<nint, nint, nint, nint, nint, int> Div;
        public delegate* unmanaged<nint, nint, int> Cmp;
        public delegate* unmanaged<nint, nint, nint, nint, int> ToMont;
        public delegate* unmanaged<nint, nint, nint, nint, int> FromMont;
        public delegate* unmanaged<nint, nint, nint, nint, nint, int> MulMont;

        public static Functions? Load()
        {
            if (!OperatingSystem.IsLinux()
                || (!NativeLibrary.TryLoad("libcrypto.so.3", out var library) && !NativeLibrary.TryLoad("libcrypto.so.1.1", out library)))
            {
                return null;
            }

            nint Export(string name) => NativeLibrary.TryGetExport(library, name, out var address) ? address : 0;
            var exports = new[]
            {
                "BN_CTX_new", "BN_CTX_free", "BN_bin2bn", "BN_new", "BN_free", "BN_bn2binpad",
                "BN_MONT_CTX_new", "BN_MONT_CTX_set", "BN_MONT_CTX_free", "BN_set_word",
                "BN_copy", "BN_set_bit", "BN_div", "BN_cmp", "BN_to_montgomery", "BN_from_montgomery", "BN_mod_mul_montgomery",
            }.Select(Export).ToArray();
            if (exports.Any(address => address == 0))
            {
                return null;
            }

            var functions = new Functions
            {
                CtxNew = (delegate* unmanaged<nint>)exports[0],
                CtxFree = (delegate* unmanaged<nint, void>)exports[1],
                Bin2Bn = (delegate* unmanaged<byte*, int, nint, nint>)exports[2],
                BnNew = (delegate* unmanaged<nint>)exports[3],
                BnFree = (delegate* unmanaged<nint, void>)exports[4],
                Bn2BinPad = (delegate* unmanaged<nint, byte*, int, int>)exports[5],
                MontNew = (delegate* unmanaged<nint>)exports[6],
                MontSet = (delegate* unmanaged<nint, nint, nint, int>)exports[7],
                MontFree = (delegate* unmanaged<nint, void>)exports[8],
                SetWord = (delegate* unmanaged<nint, ulong, int>)exports[9],
                Copy = (delegate* unmanaged<nint, nint, nint>)exports[10],
                SetBit = (delegate* unmanaged<nint, int, int>)exports[11],
                Div = (delegate* unmanaged<nint, nint, nint, nint, nint, int>)exports[12],
                Cmp = (delegate* unmanaged<nint, nint, int>)exports[13],
                ToMont = (delegate* unmanaged<nint, nint, nint, nint, int>)exports[14],
                FromMont = (delegate* unmanaged<nint, nint, nint, nint, int>)exports[15],
                MulMont = (delegate* unmanaged<nint, nint, nint, nint, nint, int>)exports[16],
            };
            return functions;
        }
    }
}
