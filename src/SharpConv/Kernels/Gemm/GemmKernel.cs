using System.Runtime.Intrinsics.X86;

namespace SharpConv.Kernels.Gemm;

/// <summary>Which register-blocked micro-kernel a <see cref="PackedMatrix"/> is packed for.</summary>
internal enum MicroKernelShape
{
    V512_14x2, V512_8x3, V512_12x2, V256_6x2, V128_6x2,
}

/// <summary>
/// A micro-kernel and its tile: MR rows of C (A is packed in MR-row panels) × NR columns (B in NR-column panels).
/// Chosen by vector width; all share <see cref="KC"/>, so every width sums each output in the same order.
/// </summary>
internal sealed unsafe class GemmKernel
{
    /// <summary>
    /// Depth of one K block. B's kc×NR micro-panel (256·32·4 = 32 KiB for NR 32) is reused by every MR panel of the
    /// tile while the A micro-panel (256·14·4 = 14 KiB) streams from L2: measured best of 128/192/256/384 at 1024³
    /// on Zen 4/5. Fixed for all widths and thread counts: it is the only blocking the summation order depends on.
    /// </summary>
    public const int KC = 256;

    public readonly MicroKernelShape Shape;
    public readonly int MR, NR;
    /// <summary>The micro-kernel: (A panel, B, kc, ldb, store). Row k of B is at <c>b + k·ldb</c>: NR for a packed
    /// panel, the matrix's row length when B is read in place.</summary>
    public readonly delegate*<float*, float*, int, long, ref readonly TileStore, void> Fn;

    /// <summary>Lanes of one vector of the kernel (16, 8 or 4).</summary>
    public readonly int Lanes;
    private readonly delegate*<float*, float*, int, long, ref readonly TileStore, void> _masked1, _masked2, _masked3;
    // Partial-row kernels (1 … MR − 1 rows): set by the 6-row AVX2 kernel's initializer only.
    private delegate*<float*, float*, int, long, ref readonly TileStore, void> _rows1, _rows2, _rows3, _rows4, _rows5;

    private GemmKernel(MicroKernelShape shape, int mr, int nr, int lanes, delegate*<float*, float*, int, long, ref readonly TileStore, void> fn,
        delegate*<float*, float*, int, long, ref readonly TileStore, void> masked1 = null,
        delegate*<float*, float*, int, long, ref readonly TileStore, void> masked2 = null,
        delegate*<float*, float*, int, long, ref readonly TileStore, void> masked3 = null)
    { Shape = shape; MR = mr; NR = nr; Lanes = lanes; Fn = fn; _masked1 = masked1; _masked2 = masked2; _masked3 = masked3; }

    public static readonly GemmKernel V512_14x2 = new(MicroKernelShape.V512_14x2, 14, 32, 16, &MicroKernels.Kernel512_14x2,
        &MicroKernels.Kernel512_14x1m, &MicroKernels.Kernel512_14x2m);
    public static readonly GemmKernel V512_8x3 = new(MicroKernelShape.V512_8x3, 8, 48, 16, &MicroKernels.Kernel512_8x3,
        &MicroKernels.Kernel512_8x1m, &MicroKernels.Kernel512_8x2m, &MicroKernels.Kernel512_8x3m);
    public static readonly GemmKernel V512_12x2 = new(MicroKernelShape.V512_12x2, 12, 32, 16, &MicroKernels.Kernel512_12x2,
        &MicroKernels.Kernel512_12x1m, &MicroKernels.Kernel512_12x2m);
    public static readonly GemmKernel V256_6x2 = new(MicroKernelShape.V256_6x2, 6, 16, 8, &MicroKernels.Kernel256_6x2,
        &MicroKernels.Kernel256_6x1m, &MicroKernels.Kernel256_6x2m)
    {
        _rows1 = &MicroKernels.Kernel256_6x2_rows1, _rows2 = &MicroKernels.Kernel256_6x2_rows2, _rows3 = &MicroKernels.Kernel256_6x2_rows3,
        _rows4 = &MicroKernels.Kernel256_6x2_rows4, _rows5 = &MicroKernels.Kernel256_6x2_rows5,
    };

    public static readonly GemmKernel V128_6x2 = new(MicroKernelShape.V128_6x2, 6, 8, 4, &MicroKernels.Kernel128_6x2);

    /// <summary>The column count per-image tiles are computed in, for the batch-folding rule: 16 with AVX-512, where a
    /// partial last panel runs a masked tail kernel of 16-lane vectors, else the whole panel (NR; 16 with AVX2, whose
    /// 8-lane tails did not make 14×14 maps pay per image: GoogLeNet's 480→192 @14 at batch 8 folded 1.59 vs 2.29 ms).
    /// Depends on the instruction set only, not on the <see cref="MaskedTails"/> knob: the algorithm choices made from
    /// it must not change while a test flips the knob.</summary>
    public int ColumnStep => Lanes == 16 && Avx512F.IsSupported && _masked1 != null ? Lanes : NR;

    /// <summary>Masked tail kernels on or off (a measurement knob; never changes results).</summary>
    internal static bool MaskedTails = true;

    /// <summary>
    /// The kernel for a full-height tile with only <paramref name="columns"/> (1 … NR − 1) valid columns: as many
    /// vectors as they need, the last stored under a mask (set <see cref="TileStore.LastColumns"/> to
    /// <c>columns − (vectors − 1)·Lanes</c>), or null where there is none (128-bit kernels, or the knob off) and the
    /// caller computes a whole tile into scratch and merges its corner. Each valid element gets the same FMA chain
    /// and epilogue as with the full kernel, so the bits do not change.
    /// </summary>
    public delegate*<float*, float*, int, long, ref readonly TileStore, void> MaskedFor(int columns)
    {
        // Masked loads and stores need the instructions themselves (Vector512 code runs emulated without AVX-512).
        if (!MaskedTails || (Lanes == 16 ? !Avx512F.IsSupported : !Avx.IsSupported)) return null;
        int vectors = (columns + Lanes - 1) / Lanes;
        return vectors switch { 1 => _masked1, 2 => _masked2, 3 => _masked3, _ => null };
    }

    /// <summary>
    /// The kernel for a full-width tile with only <paramref name="rows"/> (1 … MR − 1) valid rows — the last row panel
    /// of a matrix whose rows are not a multiple of MR — computing and storing just those rows, or null where there is
    /// none (only the 6-row AVX2 kernel has them; the 512-bit kernels are picked by row count) and the caller computes
    /// a whole tile into scratch and merges it. Each valid element gets the same FMA chain and epilogue as with the
    /// full kernel, so the bits do not change. Off with <see cref="MaskedTails"/>.
    /// </summary>
    public delegate*<float*, float*, int, long, ref readonly TileStore, void> PartialRowsFor(int rows)
    {
        if (!MaskedTails || Lanes != 8 || !Avx.IsSupported) return null;
        return rows switch { 1 => _rows1, 2 => _rows2, 3 => _rows3, 4 => _rows4, 5 => _rows5, _ => null };
    }

    public static GemmKernel Get(MicroKernelShape s) => s switch
    {
        MicroKernelShape.V512_14x2 => V512_14x2,
        MicroKernelShape.V512_8x3 => V512_8x3,
        MicroKernelShape.V512_12x2 => V512_12x2,
        MicroKernelShape.V256_6x2 => V256_6x2,
        _ => V128_6x2,
    };

    /// <summary>The default kernel for a width (see the measurements in Kernels/README.md).</summary>
    public static GemmKernel For(SimdWidth width) => width switch
    {
        SimdWidth.Vector512 => V512_14x2,
        SimdWidth.Vector256 => V256_6x2,
        _ => V128_6x2,
    };

    /// <summary>Off: always the width's default kernel (a measurement knob for perf probes).</summary>
    internal static bool PickByRows = true;

    /// <summary>
    /// The kernel for a width and a row count (M, output channels), chosen at pack time: with Vector512 the 14-row
    /// default pads 16/32/48-row matrices (squeeze and DenseNet growth convs) by 25–43 %, so a 12- or 8-row kernel
    /// is taken where it wastes clearly fewer padded rows. Every kernel sums each element in the same order (one
    /// FMA chain per KC block), so the choice changes speed only, never the bits.
    /// </summary>
    public static GemmKernel For(SimdWidth width, int rows)
    {
        var best = For(width);
        if (width != SimdWidth.Vector512 || rows <= 0 || !PickByRows) return best;
        double Eff(GemmKernel k) => rows / (double)((rows + k.MR - 1) / k.MR * k.MR);
        double e = Eff(best);
        foreach (var k in new[] { V512_12x2, V512_8x3 })
            if (Eff(k) > e + 0.03) { best = k; e = Eff(k); }
        return best;
    }

    /// <summary>Largest MR×NR over all kernels: the size of the partial-tile scratch.</summary>
    public const int MaxTile = 14 * 48;
}
