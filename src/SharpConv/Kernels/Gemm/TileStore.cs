using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private readonly Vector512<float> Finish(Vector512<float> v, int i, int col)
    {
        if (Accumulate) v += Vector512.Load(C + (nint)i * Ldc + col);
        if (Bias != null) v += Vector512.Create(Bias[i]);
        if (Residual != null) v += Vector512.Load(Residual + (nint)i * Ldr + col);
        if (Clamp) v = Vector512.Min(Vector512.Max(v, Vector512.Create(Min)), Vector512.Create(Max));
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private readonly Vector256<float> Finish(Vector256<float> v, int i, int col)
    {
        if (Accumulate) v += Vector256.Load(C + (nint)i * Ldc + col);
        if (Bias != null) v += Vector256.Create(Bias[i]);
        if (Residual != null) v += Vector256.Load(Residual + (nint)i * Ldr + col);
        if (Clamp) v = Vector256.Min(Vector256.Max(v, Vector256.Create(Min)), Vector256.Create(Max));
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private readonly Vector128<float> Finish(Vector128<float> v, int i, int col)
    {
        if (Accumulate) v += Vector128.Load(C + (nint)i * Ldc + col);
        if (Bias != null) v += Vector128.Create(Bias[i]);
        if (Residual != null) v += Vector128.Load(Residual + (nint)i * Ldr + col);
        if (Clamp) v = Vector128.Min(Vector128.Max(v, Vector128.Create(Min)), Vector128.Create(Max));
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row512(int i, Vector512<float> v0, Vector512<float> v1)
    {
        float* c = C + (nint)i * Ldc;
        Finish(v0, i, 0).Store(c); Finish(v1, i, 16).Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row512(int i, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2)
    {
        float* c = C + (nint)i * Ldc;
        Finish(v0, i, 0).Store(c); Finish(v1, i, 16).Store(c + 16); Finish(v2, i, 32).Store(c + 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row256(int i, Vector256<float> v0, Vector256<float> v1)
    {
        float* c = C + (nint)i * Ldc;
        Finish(v0, i, 0).Store(c); Finish(v1, i, 8).Store(c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public readonly void Row128(int i, Vector128<float> v0, Vector128<float> v1)
    {
        float* c = C + (nint)i * Ldc;
        Finish(v0, i, 0).Store(c); Finish(v1, i, 4).Store(c + 4);
    }

    /// <summary>Scalar epilogue for a partial tile: the kernel wrote raw sums to <paramref name="tmp"/> (stride
    /// <paramref name="ldt"/>); merge the valid <paramref name="rows"/>×<paramref name="cols"/> corner into C.
    /// Same operations in the same order as the vector path, so results are bit-identical.</summary>
    public readonly void MergePartial(float* tmp, int ldt, int rows, int cols)
    {
        for (int i = 0; i < rows; i++)
        {
            float* c = C + (nint)i * Ldc;
            float* r = Residual + (nint)i * Ldr;
            for (int j = 0; j < cols; j++)
            {
                float v = tmp[i * ldt + j];
                if (Accumulate) v += c[j];
                if (Bias != null) v += Bias[i];
                if (Residual != null) v += r[j];
                if (Clamp) v = MathF.Min(MathF.Max(v, Min), Max);
                c[j] = v;
            }
        }
    }
}
