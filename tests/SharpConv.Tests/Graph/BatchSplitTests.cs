using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Zoo;
using ZooCatalog = SharpConv.Zoo.Zoo;

namespace SharpConv.Tests.Graph;

/// <summary>
/// The batch cut over the threads (<see cref="BatchSplit"/>): which steps take part, and that a run with the cut gives
/// the bits of the same run without it, profiled or not. (FastNetworkTests checks every zoo network across thread
/// counts at batches that split.)
/// </summary>
[Collection("BatchSplitKnobs")]
public class BatchSplitTests
{
    private static (Network Net, Tensor Input) AlexNet(int batch)
    {
        var net = ZooCatalog.Build("alexnet", new ZooOptions { WidthDivisor = 16, InputSize = 96, Seed = 3 });
        return (net, Tensor.RandomNormal(net.InputShape.WithBatch(batch), seed: 11));
    }

    [Fact]
    public void ConvolutionsAndPoolsSplitTheClassifierDoesNot()
    {
        var (net, _) = AlexNet(4);
        using var compiled = net.Compile(new CompileOptions { Threads = 2 });
        var plan = compiled.PlanFor(4);
        var kinds = plan.Steps.Select((s, i) => (s.Kind, Splits: plan.SplitsBatch(i))).ToArray();
        Assert.Contains(kinds, k => k.Kind == "Conv2d");
        Assert.All(kinds.Where(k => k.Kind is "Conv2d" or "MaxPool2d"), k => Assert.True(k.Splits, $"{k.Kind} should split"));
        Assert.All(kinds.Where(k => k.Kind == "Linear"), k => Assert.False(k.Splits, "a fully connected layer shares its weights across the batch"));
    }

    [Theory]
    [InlineData(4, 2)] [InlineData(5, 2)] [InlineData(7, 3)]
    public void SplitRunGivesTheWholeBatchBits(int batch, int threads)
    {
        var (net, input) = AlexNet(batch);
        using var compiled = net.Compile(new CompileOptions { Threads = threads });
        var split = compiled.Run(input).ToArray();
        var observed = new Tensor(compiled.PlanFor(batch).SlotShapes[compiled.PlanFor(batch).OutputSlots[0]]);
        var counter = new StepCounter();
        compiled.Run([input], [observed], default, counter);
        Assert.Equal(2 * compiled.PlanFor(batch).Steps.Count, counter.Calls);
        float[] whole;
        // The knob is read when a run's context is made: a network compiled and first run with it off never splits.
        BatchSplit.Enabled = false;
        try
        {
            using var unsplit = net.Compile(new CompileOptions { Threads = threads });
            whole = unsplit.Run(input).ToArray();
        }
        finally { BatchSplit.Enabled = true; }
        for (int i = 0; i < whole.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(whole[i]) == BitConverter.SingleToInt32Bits(split[i]),
                $"batch {batch}, {threads} threads: output[{i}] is {split[i]:R} with the batch split, {whole[i]:R} without");
        Assert.Equal(split, observed.ToArray());
    }

    private sealed class StepCounter : IStepObserver
    {
        public int Calls;
        public void StepStarting(CompiledStep step) => Calls++;
        public void StepFinished(CompiledStep step) => Calls++;
    }
}

[CollectionDefinition("BatchSplitKnobs", DisableParallelization = true)]
public class BatchSplitKnobsCollection;

/// <summary>
/// Segments that begin and end inside a network: with <see cref="BatchSplit.MaxWeightElements"/> lowered, some
/// convolutions stop splitting, so values cross between the whole batch's arena and the parts' — concatenations
/// written in place among them, with members on both sides. Every way of running must give the one-thread bits.
/// (Runs alone: the knob changes the plans other tests build.)
/// </summary>
[Collection("BatchSplitKnobs")]
public class BatchSegmentTests
{
    private static Network Build(string name) => ZooCatalog.Build(name, new ZooOptions { WidthDivisor = 16, InputSize = 64, Seed = 9 });

    /// <summary>A bound that splits about half of the image-wise steps that carry weights.</summary>
    private static long MedianWeights(Network net)
    {
        using var compiled = net.Compile(new CompileOptions { Threads = 2 });
        var weights = compiled.PlanFor(2).Steps.Select(s => s.Kernel.WeightElements).Where(w => w > 0).Order().ToArray();
        return weights[weights.Length / 2];
    }

    [Theory]
    [InlineData("googlenet", 4, 2)] [InlineData("googlenet", 5, 2)] [InlineData("densenet121", 3, 2)]
    [InlineData("densenet121", 7, 3)] [InlineData("squeezenet1_0", 4, 2)] [InlineData("resnet18", 5, 3)]
    public void SegmentsInsideANetworkKeepTheBits(string name, int batch, int threads)
    {
        // Every segment in the parts' arenas, however small, so the copies are exercised everywhere; then the
        // default choice, which keeps some in the whole arena; then all there.
        foreach (long macsPerFloat in new[] { 0, ExecutionPlan.DefaultMacsPerCopiedFloat, long.MaxValue })
        {
            ExecutionPlan.MacsPerCopiedFloat = macsPerFloat;
            try { CheckSegments(name, batch, threads, macsPerFloat); }
            finally { ExecutionPlan.MacsPerCopiedFloat = ExecutionPlan.DefaultMacsPerCopiedFloat; }
        }
    }

    private static void CheckSegments(string name, int batch, int threads, long macsPerFloat)
    {
        var net = Build(name);
        var input = Tensor.RandomNormal(net.InputShape.WithBatch(batch), seed: 13);
        float[] one;
        using (var single = net.Compile(new CompileOptions { Threads = 1 })) one = single.Run(input).ToArray();

        BatchSplit.MaxWeightElements = MedianWeights(net);
        try
        {
            using var compiled = net.Compile(new CompileOptions { Threads = threads });
            var plan = compiled.PlanFor(batch);
            Assert.True(plan.Segments.Count >= 2, $"{name}: {plan.Segments.Count} segment(s)");
            if (macsPerFloat == 0)
            {
                Assert.All(plan.Segments, g => Assert.True(g.InPartArenas));
                Assert.Contains(plan.Segments.Skip(1), g => g.CopyIn.Length > 0);
                Assert.Contains(plan.Segments.SkipLast(1), g => g.CopyOut.Length > 0);
            }
            if (macsPerFloat == long.MaxValue) Assert.All(plan.Segments, g => Assert.False(g.InPartArenas));

            void Check(string how, float[] actual)
            {
                for (int i = 0; i < one.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"{name} batch {batch}, {threads} threads, {how}, {macsPerFloat} MACs a copied float: output[{i}] is {actual[i]:R}, {one[i]:R} on 1 thread");
            }
            Check("whole segments", compiled.Run(input).ToArray());
            Check("whole segments again", compiled.Run(input).ToArray());
            var observed = new Tensor(plan.SlotShapes[plan.OutputSlots[0]]);
            compiled.Run([input], [observed], default, new NoObserver());
            Check("observed", observed.ToArray());
            BatchSplit.WholeSegments = false;
            try { Check("step by step", compiled.Run(input).ToArray()); }
            finally { BatchSplit.WholeSegments = true; }
        }
        finally { BatchSplit.MaxWeightElements = BatchSplit.DefaultMaxWeightElements; }
    }

    [Fact]
    public void AConcatenationWithMembersOnBothSidesIsCopiedByMember()
    {
        // GoogLeNet's Inception concatenations are written in place; with half the convolutions kept whole, some of a
        // module's branches are computed in the whole arena and the others in the parts'.
        var net = Build("googlenet");
        BatchSplit.MaxWeightElements = MedianWeights(net);
        try
        {
            using var compiled = net.Compile(new CompileOptions { Threads = 2 });
            var plan = compiled.PlanFor(4);
            Assert.True(plan.InPlaceConcats > 0);
            var copied = plan.Segments.SelectMany(g => g.CopyIn.Concat(g.CopyOut)).ToHashSet();
            // Copies name the values steps wrote, never a concatenation that did nothing.
            Assert.All(copied, slot => Assert.DoesNotContain(plan.Steps, s => s.InPlace && s.OutputSlot == slot));
            Assert.Contains(plan.Steps, s => s.InPlace && plan.SegmentOf(s.Index) >= 0);
        }
        finally { BatchSplit.MaxWeightElements = BatchSplit.DefaultMaxWeightElements; }
    }

    [Fact]
    public void ALonePoolBetweenLayersTooBigToSplitStaysInTheWholeArena()
    {
        // ResNet-18's last stage: its 3×3 convolutions (512 channels, 2.4M weights) run on the whole batch; between
        // them, the 1×1 downsample (128K weights) and the global pool split, each alone, with about as much to copy as
        // to compute. The stem and the first three stages form one segment in the parts' arenas.
        var net = ZooCatalog.Build("resnet18", new ZooOptions { Seed = 1 });
        using var compiled = net.Compile(new CompileOptions { Threads = 2 });
        var plan = compiled.PlanFor(2);
        var first = plan.Segments[0];
        Assert.True(first.InPartArenas);
        Assert.Equal(0, first.First);
        Assert.Contains(plan.Segments, g => !g.InPartArenas && g.First == g.Last);
        Assert.Contains(plan.Segments, g => !g.InPartArenas && plan.Steps[g.First].Kind == "GlobalAvgPool");
    }

    [Theory]
    [InlineData("googlenet")] [InlineData("densenet121")] [InlineData("resnet18")]
    public void WithEveryImageInAPartTheWholeArenaKeepsOnlyWhatCrosses(string name)
    {
        // At batch 4 on 2 threads the parts take every image: the whole arena holds the input, what crosses to the
        // classifier and the steps that stay whole, not the activations the parts keep.
        // Wide enough that the activations, not the input, set the arena's size.
        var net = ZooCatalog.Build(name, new ZooOptions { WidthDivisor = 2, InputSize = 64, Seed = 9 });
        using var compiled = net.Compile(new CompileOptions { Threads = 2 });
        var plan = compiled.PlanFor(4);
        Assert.True(plan.PartsOnlyArenaElements * 2 < plan.ArenaElements,
            $"{name}: {plan.PartsOnlyArenaElements:N0} floats with the parts taking every image, {plan.ArenaElements:N0} without");
        var input = Tensor.RandomNormal(net.InputShape.WithBatch(4), seed: 21);
        using var single = net.Compile(new CompileOptions { Threads = 1 });
        Assert.Equal(single.Run(input).ToArray(), compiled.Run(input).ToArray());
    }

    private sealed class NoObserver : IStepObserver
    {
        public void StepStarting(CompiledStep step) { }
        public void StepFinished(CompiledStep step) { }
    }
}
