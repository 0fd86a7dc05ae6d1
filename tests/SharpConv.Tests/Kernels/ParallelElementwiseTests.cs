using SharpConv.Kernels;
using SharpConv.Kernels.Pool;
using SharpConv.Runtime;

namespace SharpConv.Tests.Kernels;

public class ParallelElementwiseTests
{
    private static readonly Scheduler[] Schedulers = [Scheduler.Inline, new(2), new(3)];

    [Theory]
    [InlineData(1, 3, 1)] [InlineData(2, 5, 49)] [InlineData(3, 7, 17)] [InlineData(1, 2, 16 * 1024 + 5)]
    public void ScaleShiftWithClampMatchesScalarOnAnyThreadCount(int batch, int channels, int spatial)
    {
        var x = KernelAssert.Random(batch * channels * spatial, 1);
        var scale = KernelAssert.Random(channels, 2); var shift = KernelAssert.Random(channels, 3);
        var act = new Activation(-0.25f, 0.5f);
        var want = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / spatial % channels;
            want[i] = MathF.Min(MathF.Max(MathF.FusedMultiplyAdd(x[i], scale[c], shift[c]), act.Min), act.Max);
        }
        foreach (var s in Schedulers)
        {
            var got = new float[x.Length];
            ParallelElementwise.ScaleShift(x, got, batch, channels, spatial, scale, shift, act, s);
            Assert.Equal(want, got);
        }
    }

    [Theory]
    [InlineData(1)] [InlineData(31)] [InlineData(16 * 1024)] [InlineData(3 * 16 * 1024 + 7)]
    public void ClampAndAddCoverEveryChunkAndTail(int n)
    {
        var a = KernelAssert.Random(n, 4); var b = KernelAssert.Random(n, 5);
        foreach (var s in Schedulers)
        {
            var y = new float[n];
            ParallelElementwise.Clamp(a, y, Activation.Relu, s);
            for (int i = 0; i < n; i++) Assert.Equal(Math.Max(a[i], 0f), y[i]);
            ParallelElementwise.Add(a, b, y, s);
            for (int i = 0; i < n; i++) Assert.Equal(a[i] + b[i], y[i]);
        }
    }

    [Theory]
    [InlineData(1, 5)] [InlineData(3, 40_000)] [InlineData(4, 16 * 1024)]
    public void CopyBlocksPlacesEveryBlock(int outer, int block)
    {
        var x = KernelAssert.Random(outer * block, 6);
        int stride = block + 9, offset = 4;
        foreach (var s in Schedulers)
        {
            var y = new float[(outer - 1) * stride + offset + block + 3];
            Array.Fill(y, float.NaN);
            ParallelElementwise.CopyBlocks(x, y, outer, block, stride, offset, s);
            for (int o = 0; o < outer; o++)
            {
                for (int i = 0; i < block; i++) Assert.Equal(x[o * block + i], y[o * stride + offset + i]);
                if (o + 1 < outer) for (int i = offset + block; i < stride; i++) Assert.True(float.IsNaN(y[o * stride + i]));
            }
        }
    }
}
