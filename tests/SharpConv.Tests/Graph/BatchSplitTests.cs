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
        BatchSplit.Enabled = false;
        try { whole = compiled.Run(input).ToArray(); }
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
