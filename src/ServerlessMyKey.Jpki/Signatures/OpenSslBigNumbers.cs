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
/// failure makes the operation false (fail closed). BN_mod_exp_mont only reads the modulus, exponent
/// and a Montgomery context, so the shared exponent and the cached contexts of pinned roots are used
/// from several threads at once, as OpenSSL's own RSA keys use theirs.
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

        // The BN_CTX and the three numbers are the calling thread's own, allocated once and reused: a verification
        // allocates nothing native then. BN_bin2bn and BN_mod_exp_mont overwrite what a previous call left in them.
        var scratch = ThreadScratch ??= Scratch.Create(native);
        if (scratch is null)
        {
            return false;
        }

        fixed (byte* pModulus = modulus)
        fixed (byte* pSignature = signature)
        fixed (byte* pResult = result)
        {
            if (native.Bin2Bn(pSignature, signature.Length, scratch.Signature) == 0
                || (cached is null && native.Bin2Bn(pModulus, modulus.Length, scratch.Modulus) == 0))
            {
                return false;
            }

            var ok = cached is null
                ? native.ModExpMont(scratch.Result, scratch.Signature, native.Exponent65537, scratch.Modulus, scratch.Context, 0)
                : native.ModExpMont(scratch.Result, scratch.Signature, native.Exponent65537, cached.Modulus, scratch.Context, cached.Context);
            return ok == 1 && native.Bn2BinPad(scratch.Result, pResult, result.Length) == result.Length;
        }
    }

    [ThreadStatic]
    private static Scratch? ThreadScratch;

    /// <summary>One thread's BN_CTX and numbers, freed when the thread's last reference goes (finalizer).</summary>
    private sealed class Scratch
    {
        private readonly Functions _native;

        private Scratch(Functions native) => _native = native;

        ~Scratch()
        {
            foreach (var number in (ReadOnlySpan<nint>)[Signature, Modulus, Result])
            {
                if (number != 0)
                {
                    _native.BnFree(number);
                }
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

        public static Scratch? Create(Functions native)
        {
            var scratch = new Scratch(native)
            {
                Context = native.CtxNew(),
                Signature = native.BnNew(),
                Modulus = native.BnNew(),
                Result = native.BnNew(),
            };
            if (scratch.Context == 0 || scratch.Signature == 0 || scratch.Modulus == 0 || scratch.Result == 0)
            {
                return null; // the finalizer frees what was allocated
            }

            return scratch;
        }
    }

    /// <summary>A modulus and its Montgomery context, computed once for a key used many times (a pinned root); null when unavailable.</summary>
    public static MontgomeryContext? CreateMontgomeryContext(ReadOnlySpan<byte> modulus)
    {
        if (Native is not { } native)
        {
            return null;
        }

        var handle = new MontgomeryContext(native);
        var context = native.CtxNew();
        try
        {
            fixed (byte* pModulus = modulus)
            {
                handle.Modulus = native.Bin2Bn(pModulus, modulus.Length, 0);
            }

            handle.Context = native.MontNew();
            if (context == 0 || handle.Modulus == 0 || handle.Context == 0 || native.MontSet(handle.Context, handle.Modulus, context) != 1)
            {
                handle.Dispose();
                return null;
            }

            return handle;
        }
        finally
        {
            if (context != 0)
            {
                native.CtxFree(context);
            }
        }
    }

    /// <summary>A native modulus and BN_MONT_CTX, freed when the owner is collected or disposed.</summary>
    internal sealed class MontgomeryContext : IDisposable
    {
        private readonly Functions _native;
        private int _disposed;

        internal MontgomeryContext(Functions native) => _native = native;

        ~MontgomeryContext() => Free();

        internal nint Modulus { get; set; }

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

            if (Modulus != 0)
            {
                _native.BnFree(Modulus);
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
        public delegate* unmanaged<nint, nint, nint, nint, nint, nint, int> ModExpMont;
        public delegate* unmanaged<nint, byte*, int, int> Bn2BinPad;
        public delegate* unmanaged<nint> MontNew;
        public delegate* unmanaged<nint, nint, nint, int> MontSet;
        public delegate* unmanaged<nint, void> MontFree;
        public nint Exponent65537;

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
                "BN_CTX_new", "BN_CTX_free", "BN_bin2bn", "BN_new", "BN_free", "BN_mod_exp_mont", "BN_bn2binpad",
                "BN_MONT_CTX_new", "BN_MONT_CTX_set", "BN_MONT_CTX_free", "BN_set_word",
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
                ModExpMont = (delegate* unmanaged<nint, nint, nint, nint, nint, nint, int>)exports[5],
                Bn2BinPad = (delegate* unmanaged<nint, byte*, int, int>)exports[6],
                MontNew = (delegate* unmanaged<nint>)exports[7],
                MontSet = (delegate* unmanaged<nint, nint, nint, int>)exports[8],
                MontFree = (delegate* unmanaged<nint, void>)exports[9],
            };

            // The public exponent, shared by every call and never freed (it lives as long as the process).
            var setWord = (delegate* unmanaged<nint, ulong, int>)exports[10];
            var exponent = functions.BnNew();
            if (exponent == 0 || setWord(exponent, 65537) != 1)
            {
                return null;
            }

            functions.Exponent65537 = exponent;
            return functions;
        }
    }
}
