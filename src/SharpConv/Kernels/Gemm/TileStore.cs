using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpConv.Kernels.Gemm;

/// <summary>
/// How a micro-kernel writes its MR×NR accumulator tile: the epilogue fused into the store, so C is touched once.
/// Order per element (fixed, so every width and thread count rounds identically):
/// <c>v = acc; if Accumulate v += C; if Bias v += bias[row]; if Residual v += R; if Clamp v = min(max(v, Min), Max)</c>.
/// Accumulate is set for every K block but the first; bias, residual and clamp only on the last.
/// </summary>
internal unsafe struct TileStore
{
    public float* C;          // tile origin
    public int Ldc;
    public bool Accumulate;
    public float* Bias;       // bias of the tile's row 0, or null
    public float* Residual;   // residual at the tile origin, or null
    public int Ldr;
    public bool Clamp;
    public float Min, Max;
    public int LastColumns;   // masked kernels: valid columns of the tile's last vector (1 … its lanes)

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private readonly Vector512<float> Finish(Vector512<float> v, int i, int col)
    {
        if (Accumulate) v += Vector512.Load(C + (nint)i * Ldc + col);
        if (Bias != null) v += Vector512.Create(Bias[i]);
        if (Residual != null) v += Vector512.Load(Residual + (nint)i * Ldr + col);
        if (Clamp) v = Activation.Clamp(v, Vector512.Create(Min), Vector512.Create(Max));
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private readonly Vector256<float> Finish(Vector256<float> v, int i, int col)
    {
        if (Accumulate) v += Vector256.Load(C + (nint)i * Ldc + col);
        if (Bias != null) v += Vector256.Create(Bias[i]);
        if (Residual != null) v += Vector256.Load(Residual + (nint)i * Ldr + col);
        if (Clamp) v = Activation.Clamp(v, Vector256.Create(Min), Vector256.Create(Max));
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private readonly Vector128<float> Finish(Vector128<float> v, int i, int col)
    {
        if (Accumulate) v += Vector128.Load(C + (nint)i * Ldc + col);
        if (Bias != null) v += Vector128.Create(Bias[i]);
        if (Residual != null) v += Vector128.Load(Residual + (nint)i * Ldr + col);
        if (Clamp) v = Activation.Clamp(v, Vector128.Create(Min), Vector128.Create(Max));
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row512(int i, Vector512<float> v0, Vector512<float> v1)
    {
        // As Row256: each flag once per row.
        float* c = C + (nint)i * Ldc;
        if (Accumulate) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + 16); }
        if (Bias != null) { var b = Vector512.Create(Bias[i]); v0 += b; v1 += b; }
        if (Residual != null) { float* r = Residual + (nint)i * Ldr; v0 += Vector512.Load(r); v1 += Vector512.Load(r + 16); }
        if (Clamp)
        {
            var lo = Vector512.Create(Min); var hi = Vector512.Create(Max);
            v0 = Activation.Clamp(v0, lo, hi); v1 = Activation.Clamp(v1, lo, hi);
        }
        v0.Store(c); v1.Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row512(int i, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2)
    {
        float* c = C + (nint)i * Ldc;
        if (Accumulate) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + 16); v2 += Vector512.Load(c + 32); }
        if (Bias != null) { var b = Vector512.Create(Bias[i]); v0 += b; v1 += b; v2 += b; }
        if (Residual != null)
        {
            float* r = Residual + (nint)i * Ldr;
            v0 += Vector512.Load(r); v1 += Vector512.Load(r + 16); v2 += Vector512.Load(r + 32);
        }
        if (Clamp)
        {
            var lo = Vector512.Create(Min); var hi = Vector512.Create(Max);
            v0 = Activation.Clamp(v0, lo, hi); v1 = Activation.Clamp(v1, lo, hi); v2 = Activation.Clamp(v2, lo, hi);
        }
        v0.Store(c); v1.Store(c + 16); v2.Store(c + 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row256(int i, Vector256<float> v0, Vector256<float> v1)
    {
        // Each flag tested once for the row's two vectors (per vector, the flag tests were a fifth of a shallow
        // tile's instructions with AVX2); the same operations in the same order as Finish.
        float* c = C + (nint)i * Ldc;
        if (Accumulate) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + 8); }
        if (Bias != null) { var b = Vector256.Create(Bias[i]); v0 += b; v1 += b; }
        if (Residual != null) { float* r = Residual + (nint)i * Ldr; v0 += Vector256.Load(r); v1 += Vector256.Load(r + 8); }
        if (Clamp)
        {
            var lo = Vector256.Create(Min); var hi = Vector256.Create(Max);
            v0 = Activation.Clamp(v0, lo, hi); v1 = Activation.Clamp(v1, lo, hi);
        }
        v0.Store(c); v1.Store(c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row128(int i, Vector128<float> v0, Vector128<float> v1)
    {
        float* c = C + (nint)i * Ldc;
        Finish(v0, i, 0).Store(c); Finish(v1, i, 4).Store(c + 4);
    }

    /// <summary>Lanes [0, <see cref="LastColumns"/>) set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly Vector512<float> LastMask512() =>
        Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(LastColumns)).AsSingle();

    /// <summary>Lanes [0, <see cref="LastColumns"/>) set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly Vector256<float> LastMask256() =>
        Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(LastColumns)).AsSingle();

    // The last vector of a partial tile: the same operations as Finish in the same order, with C and the residual read
    // and C written under the mask only (the lanes past it may lie outside the matrix).
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private readonly void FinishMasked(Vector512<float> v, Vector512<float> mask, int i, int col)
    {
        float* c = C + (nint)i * Ldc + col;
        if (Accumulate) v += Avx512F.MaskLoad(c, mask, Vector512<float>.Zero);
        if (Bias != null) v += Vector512.Create(Bias[i]);
        if (Residual != null) v += Avx512F.MaskLoad(Residual + (nint)i * Ldr + col, mask, Vector512<float>.Zero);
        if (Clamp) v = Activation.Clamp(v, Vector512.Create(Min), Vector512.Create(Max));
        Avx512F.MaskStore(c, mask, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private readonly void FinishMasked(Vector256<float> v, Vector256<float> mask, int i, int col)
    {
        float* c = C + (nint)i * Ldc + col;
        if (Accumulate) v += Avx.MaskLoad(c, mask);
        if (Bias != null) v += Vector256.Create(Bias[i]);
        if (Residual != null) v += Avx.MaskLoad(Residual + (nint)i * Ldr + col, mask);
        if (Clamp) v = Activation.Clamp(v, Vector256.Create(Min), Vector256.Create(Max));
        Avx.MaskStore(c, mask, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row512Masked(int i, Vector512<float> mask, Vector512<float> v0) => FinishMasked(v0, mask, i, 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row512Masked(int i, Vector512<float> mask, Vector512<float> v0, Vector512<float> v1)
    {
        Finish(v0, i, 0).Store(C + (nint)i * Ldc); FinishMasked(v1, mask, i, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row512Masked(int i, Vector512<float> mask, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2)
    {
        float* c = C + (nint)i * Ldc;
        Finish(v0, i, 0).Store(c); Finish(v1, i, 16).Store(c + 16); FinishMasked(v2, mask, i, 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row256Masked(int i, Vector256<float> mask, Vector256<float> v0) => FinishMasked(v0, mask, i, 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row256Masked(int i, Vector256<float> mask, Vector256<float> v0, Vector256<float> v1)
    {
        Finish(v0, i, 0).Store(C + (nint)i * Ldc); FinishMasked(v1, mask, i, 8);
    }

    /// <summary>Epilogue for a partial tile: the kernel wrote raw sums to <paramref name="tmp"/> (stride
    /// <paramref name="ldt"/>); merge the valid <paramref name="rows"/>×<paramref name="cols"/> corner into C.
    /// Same operations in the same order as the vector path, so results are bit-identical.</summary>
    public readonly void MergePartial(float* tmp, int ldt, int rows, int cols)
    {
        // Whole vectors first: a matrix whose rows are not a multiple of MR (64 rows on the 6-row AVX2 kernel, 16 on
        // any) sends every tile of its last row panel here, and scalar merging made those tiles several times slower.
        bool v512 = Vector512.IsHardwareAccelerated, v256 = Vector256.IsHardwareAccelerated;
        for (int i = 0; i < rows; i++)
        {
            float* c = C + (nint)i * Ldc;
            float* r = Residual + (nint)i * Ldr;
            int j = 0;
            if (v512) for (; j + 16 <= cols; j += 16) Finish(Vector512.Load(tmp + i * ldt + j), i, j).Store(c + j);
            if (v256) for (; j + 8 <= cols; j += 8) Finish(Vector256.Load(tmp + i * ldt + j), i, j).Store(c + j);
            for (; j < cols; j++)
            {
                float v = tmp[i * ldt + j];
                if (Accumulate) v += c[j];
                if (Bias != null) v += Bias[i];
                if (Residual != null) v += r[j];
                if (Clamp) v = Activation.Clamp(v, Min, Max);
                c[j] = v;
            }
        }
    }
}
