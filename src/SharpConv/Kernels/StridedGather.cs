// The strided row of a convolution tap or of a pooling window, made contiguous.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpConv.Kernels;

/// <summary>
/// <c>dst[j] = src[j·stride]</c>: the input row of a strided convolution tap. Strides 2 and 4 (every ResNet/GoogLeNet
/// downsampling layer, AlexNet's stem) deinterleave whole vectors with a two-source permute instead of one scalar load
/// per value; vector loads never reach the given end of the input row, so nothing past the tensor is
/// touched. Used by the im2col row source and by max pooling's strided rows.
/// </summary>
internal static unsafe class StridedGather
{
    private static readonly Vector512<int> Even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> Fourth = Vector512.Create(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
    private static readonly Vector512<int> Halves = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Copy(float* src, int stride, float* dst, int count, float* end)
    {
        int j = 0;
        if (Avx512F.IsSupported)
        {
            if (stride == 2)
                for (; j + 16 <= count && src + 2 * j + 32 <= end; j += 16)
                    Avx512F.PermuteVar16x32x2(Vector512.Load(src + 2 * j), Even, Vector512.Load(src + 2 * j + 16)).Store(dst + j);
            else if (stride == 4)
                for (; j + 16 <= count && src + 4 * j + 64 <= end; j += 16)
                {
                    float* s = src + 4 * j;
                    var lo = Avx512F.PermuteVar16x32x2(Vector512.Load(s), Fourth, Vector512.Load(s + 16));
                    var hi = Avx512F.PermuteVar16x32x2(Vector512.Load(s + 32), Fourth, Vector512.Load(s + 48));
                    Avx512F.PermuteVar16x32x2(lo, Halves, hi).Store(dst + j);
                }
        }
        else if (Avx2.IsSupported && stride == 2)
        {
            for (; j + 8 <= count && src + 2 * j + 16 <= end; j += 8) Even8(src + 2 * j).Store(dst + j);
        }
        for (; j < count; j++) dst[j] = src[(long)j * stride];
    }

    /// <summary><c>src[0], src[2], …, src[14]</c> with AVX2 (reads 16 values): the shuffle picks lanes 0 and 2 of each
    /// 128-bit half of both vectors, the 64-bit permute puts them in order. Also max pooling's stride-2 windows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Even8(float* src) => Even8(Vector256.Load(src), Vector256.Load(src + 8));

    /// <summary>The even lanes of <paramref name="lo"/> then of <paramref name="hi"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Even8(Vector256<float> lo, Vector256<float> hi) =>
        Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();

    /// <summary>The odd lanes of <paramref name="lo"/> then of <paramref name="hi"/> (<see cref="Even8(float*)"/> one
    /// value further on, from the same loads).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Odd8(Vector256<float> lo, Vector256<float> hi) =>
        Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
}
