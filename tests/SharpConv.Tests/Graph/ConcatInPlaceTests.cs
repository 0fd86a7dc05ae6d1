using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Kernels;
using SharpConv.Kernels.Conv;
using SharpConv.Kernels.Pool;
using SharpConv.Ops;
using SharpConv.Runtime;
using static SharpConv.Tests.Graph.GraphCheck;

namespace SharpConv.Tests.Graph;

/// <summary>
/// Concatenations written in place (<see cref="CompileOptions.ConcatInPlace"/>): producers write into their channel
/// range of the concatenation, DenseNet's prefix concatenations become views of the block's last one. The result must be
/// the copying plan's, bit for bit, on any thread count, and the arena layout must stay sound.
/// </summary>
public class ConcatInPlaceTests
{
    private static readonly CompileOptions Copying = new() { ConcatInPlace = false };

    /// <summary>Every kind of concatenation the planner meets, in one network.</summary>
    private static Network Awkward(int batch = 1)
    {
        var b = new NetworkBuilder("concat-cases", seed: 11);
        var x = b.Input(3, 9, 9, batch).Conv(8, 3, padding: 1).Relu();
        // Fire-style: two convolutions (1×1 on the GEMM, 3×3 on the direct/Winograd kernels) into one concatenation.
        var fire = b.Concat(x.Conv(16, 1).Relu(), x.Conv(16, 3, padding: 1).Relu());
        // DenseNet-style prefixes: each layer concatenates everything before it; the last concatenation holds all.
        var f0 = fire.MaxPool(3, 1, padding: 1);
        var n1 = f0.BatchNorm().Relu().Conv(8, 3, padding: 1);
        var c1 = b.Concat(f0, n1);
        var n2 = c1.BatchNorm().Relu().Conv(8, 3, padding: 1);
        var c2 = b.Concat(f0, n1, n2);
        var n3 = c2.BatchNorm().Relu().Conv(8, 1);
        var block = b.Concat(f0, n1, n2, n3);                                  // 32 + 24 channels
        // Nested: an inner concatenation is one input of an outer one (Inception-v3's split branches).
        var y = block.Conv(12, 1).Relu();
        var inner = b.Concat(y.Conv(4, (1, 3), (1, 1), Padding.Symmetric(0, 1), (1, 1)), y.Conv(4, (3, 1), (1, 1), Padding.Symmetric(1, 0), (1, 1)));
        var outer = b.Concat(y.AvgPool(3, 1, padding: 1), inner, y.Conv(5, 1));
        // A concatenation input that another layer (a residual join) also reads, and a repeated input.
        var shared = outer.Conv(25, 1);
        var joined = b.Add(shared.Conv(25, 3, padding: 1), shared);
        var twice = b.Concat(joined, shared, joined);
        // Along another axis (not placed), and a concatenation that is a network output.
        var wide = b.Concat([twice.Conv(4, 1), twice.Conv(4, 1)], axis: 3);
        var head = wide.GlobalAvgPool().Flatten().Linear(6, name: "head");
        var side = b.Concat(twice.AvgPool(3, 3).Conv(3, 1), twice.MaxPool(3, 3).Conv(2, 1));
        return b.Build([head, side]);
    }

    [Fact]
    public void AwkwardConcatenationsMatchTheCopyingPlanBitForBitOnAnyThreadCount()
    {
        var net = Awkward();
        var reference = Awkward();
        foreach (int batch in new[] { 1, 3 })
        {
            var input = Tensor.RandomNormal(new Shape(batch, 3, 9, 9), 40 + batch);
            using var copying = net.Compile(Copying with { Threads = 1 });
            var want = Run(copying, input);
            var evaluated = Evaluate(reference, input);
            for (int o = 0; o < want.Length; o++) AssertClose(evaluated[o], want[o], 1e-5);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                using var c = net.Compile(new CompileOptions { Threads = threads });
                var plan = c.PlanFor(batch);
                AssertNoLiveOverlap(plan);
                Assert.True(plan.InPlaceConcats >= 4, $"batch {batch}: only {plan.InPlaceConcats} concatenations in place");
                var found = Run(c, input);
                for (int o = 0; o < want.Length; o++) Assert.Equal(want[o].ToArray(), found[o].ToArray());
            }
        }
    }

    [Fact]
    public void DenseBlockPrefixesBecomeViewsOfTheLastConcatenation()
    {
        var net = Awkward();
        using var c = net.Compile();
        foreach (int batch in new[] { 1, 3 })
        {
            var plan = c.PlanFor(batch);
            var steps = plan.Steps.Where(s => s.Kind == "Concat").ToList();
            // fire, c1, c2, block, inner, outer and the output one (a root, its inputs written into it) are in place;
            // the concatenation with a repeated input and the one along the width copy.
            bool[] inPlace = [true, true, true, true, true, true, false, false, true];
            Assert.Equal(inPlace.Length, steps.Count);
            for (int i = 0; i < steps.Count; i++) Assert.True(inPlace[i] == steps[i].InPlace, $"{steps[i].Name} at batch {batch}");
            Assert.Equal(7, plan.InPlaceConcats);
            Assert.All(steps.Where(s => s.InPlace), s => Assert.Equal("in place", s.Algorithm));
            var block = steps[3];
            Assert.Equal(plan.SlotOffsets[block.OutputSlot], plan.SlotOffsets[steps[1].OutputSlot]);   // c1 is block's prefix
            Assert.Equal(plan.SlotImageStrides[block.OutputSlot], plan.SlotImageStrides[steps[2].OutputSlot]);
        }
    }

    [Theory]
    [InlineData("squeezenet1_1", 8)]
    [InlineData("googlenet", 9)]
    [InlineData("densenet121", 58)]
    public void ZooNetworksLoseEveryConcatenationAndKeepTheirBits(string name, int concats)
    {
        var net = SharpConv.Zoo.Zoo.Build(name);
        using var copying = net.Compile(Copying with { Threads = 2 });
        using var inPlace = net.Compile(new CompileOptions { Threads = 2 });
        foreach (int batch in new[] { 1, 2 })
        {
            var plan = inPlace.PlanFor(batch);
            Assert.Equal(concats, plan.Steps.Count(s => s.Kind == "Concat"));
            Assert.Equal(concats, plan.InPlaceConcats);
            AssertNoLiveOverlap(plan);
            Assert.True(plan.ArenaElements <= copying.PlanFor(batch).ArenaElements,
                $"{name} batch {batch}: arena {plan.ArenaElements} > {copying.PlanFor(batch).ArenaElements} without in-place concatenation");
            var input = Tensor.RandomUniform(net.InputShape.WithBatch(batch), seed: batch, low: 0, high: 1);
            Assert.Equal(copying.Run(input).ToArray(), inPlace.Run(input).ToArray());
        }
    }

    [Fact]
    public void FeatureVectorConcatenationMatchesTheCopyingPlan()
    {
        // Rank 2 ([N, features]): at batch 1 the linear layers write into the concatenation; at batch 3 they cannot
        // write image-strided, so it copies.
        var b = new NetworkBuilder("features", seed: 3);
        var x = b.Input(2, 5, 5).Flatten();
        var net = b.Build(b.Concat(x.Linear(5).Relu(), x.Linear(3)).Linear(4));
        using var copying = net.Compile(Copying);
        using var inPlace = net.Compile();
        Assert.Equal(1, inPlace.PlanFor(1).InPlaceConcats);
        Assert.Equal(0, inPlace.PlanFor(3).InPlaceConcats);
        foreach (int batch in new[] { 1, 3 })
        {
            AssertNoLiveOverlap(inPlace.PlanFor(batch));
            var input = Tensor.RandomNormal(new Shape(batch, 2, 5, 5), batch);
            Assert.Equal(copying.Run(input).ToArray(), inPlace.Run(input).ToArray());
        }
    }

    [Fact]
    public void ReferenceKernelsCopyEveryConcatenation()
    {
        using var c = Awkward().Compile(CompileOptions.Reference);
        Assert.Equal(0, c.PlanFor(3).InPlaceConcats);
    }

    /// <summary>Each conv algorithm writing image n at n · stride: the gaps between images stay untouched and each
    /// image equals the dense result bit for bit.</summary>
    [Theory]
    [InlineData(ConvAlgorithm.Pointwise, 1, 1, 0, 7)]     // batch-folded at 7×7
    [InlineData(ConvAlgorithm.Pointwise, 1, 1, 0, 30)]    // per image
    [InlineData(ConvAlgorithm.Im2ColGemm, 3, 2, 1, 15)]
    [InlineData(ConvAlgorithm.Winograd23, 3, 1, 1, 12)]
    [InlineData(ConvAlgorithm.Winograd43, 3, 1, 1, 17)]
    [InlineData(ConvAlgorithm.Direct, 3, 1, 1, 28)]
    [InlineData(ConvAlgorithm.Direct, 1, 1, 0, 14)]
    [InlineData(ConvAlgorithm.Depthwise, 3, 1, 1, 11)]
    [InlineData(ConvAlgorithm.Reference, 3, 2, 1, 9)]
    public void ConvAlgorithmsWriteImageStridedOutput(ConvAlgorithm algorithm, int kernel, int stride, int pad, int size)
    {
        const int batch = 3, c = 24, k = 24;
        var p = new ConvParams(c, size, size, k, kernel, kernel, stride, pad, groups: algorithm == ConvAlgorithm.Depthwise ? c : 1);
        var rnd = new SeededRandom(3);
        var x = new float[p.InputElements * batch]; rnd.FillUniform(x, -1, 1);
        var w = new float[p.WeightElements]; rnd.FillUniform(w, -0.3f, 0.3f);
        var bias = new float[k]; rnd.FillUniform(bias, -1, 1);
        var conv = PreparedConv.Create(algorithm, p, w, bias, Activation.Relu);
        using var scheduler = new Scheduler(2);
        var scratch = new float[conv.ScratchElements(batch, 2)];
        var dense = new float[p.OutputElements * batch];
        conv.Execute(x, batch, dense, default, scheduler, scratch);

        long image = p.OutputElements, strideElements = image + 3 * p.P * p.Q + 5;   // a wider concatenation, odd gap
        var strided = new float[(batch - 1) * strideElements + image];
        Array.Fill(strided, float.NaN);
        conv.Execute(x, batch, strided, strideElements, default, scheduler, scratch);
        for (int n = 0; n < batch; n++)
        {
            Assert.Equal(dense.AsSpan((int)(n * image), (int)image).ToArray(), strided.AsSpan((int)(n * strideElements), (int)image).ToArray());
            if (n + 1 < batch)
                Assert.All(strided.AsSpan((int)(n * strideElements + image), (int)(strideElements - image)).ToArray(), v => Assert.True(float.IsNaN(v)));
        }
        Assert.Throws<ArgumentException>(() => conv.Execute(x, batch, strided, image - 1, default, scheduler, scratch));
    }

    [Theory]
    [InlineData(true, 3, 2, 0, true)]
    [InlineData(true, 3, 1, 1, false)]
    [InlineData(false, 2, 2, 0, false)]
    public void PoolingWritesImageStridedOutput(bool max, int window, int stride, int pad, bool ceil)
    {
        const int batch = 3;
        var p = new PoolParams(5, 13, 13, window, window, stride, pad, ceil, countIncludePad: false);
        var x = new float[batch * p.C * p.H * p.W]; new SeededRandom(4).FillUniform(x, -1, 1);
        using var scheduler = new Scheduler(2);
        var scratch = new float[Pooling.ScratchElements(p, 2)];
        long image = (long)p.C * p.P * p.Q, strideElements = image + 2 * p.P * p.Q;
        var dense = new float[batch * image];
        var strided = new float[(batch - 1) * strideElements + image];
        Array.Fill(strided, float.NaN);
        if (max) { Pooling.Max(x, batch, p, dense, scheduler, scratch); Pooling.Max(x, batch, p, strided, strideElements, scheduler, scratch); }
        else { Pooling.Average(x, batch, p, dense, scheduler, scratch); Pooling.Average(x, batch, p, strided, strideElements, scheduler, scratch); }
        for (int n = 0; n < batch; n++)
        {
            Assert.Equal(dense.AsSpan((int)(n * image), (int)image).ToArray(), strided.AsSpan((int)(n * strideElements), (int)image).ToArray());
            if (n + 1 < batch) Assert.True(float.IsNaN(strided[n * strideElements + image]));
        }
    }

    [Fact]
    public void ScaleShiftReadsImageStridedInput()
    {
        const int batch = 3, channels = 5, spatial = 37;
        long image = channels * spatial, strideElements = image + 4 * spatial;
        var x = new float[(batch - 1) * strideElements + image]; new SeededRandom(6).FillUniform(x, -1, 1);
        var dense = new float[batch * image];
        for (int n = 0; n < batch; n++) x.AsSpan((int)(n * strideElements), (int)image).CopyTo(dense.AsSpan((int)(n * image)));
        var scale = new float[] { 1, -2, 0.5f, 3, 0 }; var shift = new float[] { 0, 1, -1, 0.25f, 2 };
        var want = new float[batch * image]; var got = new float[batch * image];
        ParallelElementwise.ScaleShift(dense, want, batch, channels, spatial, scale, shift, Activation.Relu, null);
        using var scheduler = new Scheduler(2);
        ParallelElementwise.ScaleShift(x, strideElements, got, batch, channels, spatial, scale, shift, Activation.Relu, scheduler);
        Assert.Equal(want, got);
    }
}
