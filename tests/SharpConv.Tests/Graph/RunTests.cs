using SharpConv.Compilation;
using SharpConv.Graph;
using static SharpConv.Tests.Graph.GraphCheck;

namespace SharpConv.Tests.Graph;

public class RunTests
{
    private static Network TwoInTwoOut()
    {
        var b = new NetworkBuilder("two", seed: 2);
        var image = b.Input(3, 6, 6, name: "image");
        var mask = b.Input(4, 6, 6, name: "mask");
        var f = image.Conv(4, 3, padding: 1).Relu();
        var gated = b.Add(new SharpConv.Ops.Mul(), [f, mask], "gate");
        var logits = gated.GlobalAvgPool().Flatten().Linear(3, name: "logits").Softmax();
        var map = b.Concat(f, mask).Conv(2, 1, name: "map");
        return b.Build([logits, map]);
    }

    [Fact]
    public void MultiInputMultiOutput()
    {
        var net = TwoInTwoOut();
        Assert.Equal(2, net.Inputs.Count);
        Assert.Equal(2, net.Outputs.Count);
        using var c = net.Compile();
        var inputs = net.Inputs.Select((n, i) => Tensor.RandomNormal(n.OutputShape.WithBatch(2), 20 + i)).ToArray();
        var expected = Evaluate(net, inputs);
        var found = Run(c, inputs);
        Assert.Equal(new Shape(2, 3), found[0].Shape);
        Assert.Equal(new Shape(2, 2, 6, 6), found[1].Shape);
        AssertClose(expected[0], found[0], 1e-5);
        AssertClose(expected[1], found[1], 1e-5);
        AssertNoLiveOverlap(c.PlanFor(2));
    }

    [Fact]
    public void DifferentBatchSizesOnOneCompiledNetworkGivePerSampleIdenticalResults()
    {
        var net = ArenaTests.Branching();
        foreach (var options in new[] { CompileOptions.Reference, new CompileOptions() })
        {
            using var c = net.Compile(options);
            var batch3 = Tensor.RandomNormal(new Shape(3, 3, 8, 8), 77);
            var all = Run(c, batch3);
            for (int n = 0; n < 3; n++)
            {
                var one = new Tensor(new Shape(1, 3, 8, 8));
                batch3.Span.Slice(n * one.Length, one.Length).CopyTo(one.Span);
                var single = Run(c, one);
                for (int o = 0; o < all.Length; o++)
                {
                    int per = single[o].Length;
                    var slice = all[o].Span.Slice(n * per, per).ToArray();
                    if (options.Kernels == KernelSet.Reference) Assert.Equal(single[o].ToArray(), slice);
                    else AssertClose(single[o], new Tensor(single[o].Shape, slice), 1e-6);
                }
            }
            // batch 3 again after batch 1: cached plans do not interfere
            var again = Run(c, batch3);
            for (int o = 0; o < all.Length; o++) Assert.Equal(all[o].ToArray(), again[o].ToArray());
        }
    }

    [Fact]
    public void ConcurrentRunsFromFourThreadsGiveIdenticalOutputs()
    {
        var net = ArenaTests.Branching();
        using var c = net.Compile();
        var inputs = Enumerable.Range(0, 4).Select(i => Tensor.RandomNormal(new Shape(1 + i % 2, 3, 8, 8), 100 + i)).ToArray();
        var expected = inputs.Select(x => Run(c, x)).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var start = new Barrier(4);
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int r = 0; r < 25; r++)
            {
                int k = (t + r) % inputs.Length;
                var found = Run(c, inputs[k]);
                for (int o = 0; o < found.Length; o++)
                    if (!found[o].ToArray().AsSpan().SequenceEqual(expected[k][o].ToArray()))
                        failures.Add($"thread {t} run {r} input {k} output {o}");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
    }

    [Fact]
    public void WrongInputShapeNamesTheInput()
    {
        var b = new NetworkBuilder("net");
        var net = b.Build(b.Input(3, 8, 8, name: "pixels").Conv(4, 3).GlobalAvgPool());
        using var c = net.Compile();
        void Bad(Shape shape, params string[] mentions)
        {
            var e = Assert.Throws<ShapeMismatchException>(() => c.Run(new Tensor(shape)));
            foreach (var m in mentions) Assert.Contains(m, e.Message);
        }
        Bad(new Shape(1, 4, 8, 8), "input 'pixels'", "'net'", "N×3×8×8", "1×4×8×8");
        Bad(new Shape(1, 3, 8, 9), "pixels", "N×3×8×8", "1×3×8×9");
        Bad(new Shape(3, 8, 8), "pixels", "3×8×8");
        Bad(new Shape(1, 3, 8, 8, 1), "pixels", "1×3×8×8×1");
        Bad(new Shape(0, 3, 8, 8), "pixels", "0×3×8×8");
        // a caller-owned output of the wrong shape
        var e = Assert.Throws<ShapeMismatchException>(() => c.Run(new Tensor(new Shape(1, 3, 8, 8)), new Tensor(new Shape(1, 4))));
        Assert.Contains("output", e.Message);
        Assert.Contains("1×4×1×1", e.Message);
        Assert.Contains("1×4", e.Message);
    }

    [Fact]
    public void WrongInputCountOrMismatchedBatchesAreRefused()
    {
        var net = TwoInTwoOut();
        using var c = net.Compile();
        var first = Tensor.RandomNormal(net.Inputs[0].OutputShape, 1);
        var second = Tensor.RandomNormal(net.Inputs[1].OutputShape, 2);
        var outputs = c.PlanFor(1).OutputSlots.Select(s => new Tensor(c.PlanFor(1).SlotShapes[s])).ToArray();
        var e = Assert.Throws<ShapeMismatchException>(() => c.Run([first], outputs));
        Assert.Contains("'two'", e.Message);
        Assert.Contains("2 input tensor(s)", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => c.Run([first, second], outputs.Take(1).ToArray()));
        Assert.Contains("2 output tensor(s)", e.Message);
        var secondBatch2 = Tensor.RandomNormal(net.Inputs[1].OutputShape.WithBatch(2), 3);
        e = Assert.Throws<ShapeMismatchException>(() => c.Run([first, secondBatch2], outputs));
        Assert.Contains(net.Inputs[1].Name, e.Message);
        Assert.Contains("batch 1", e.Message);
        // the second input with the wrong channels names the second input
        e = Assert.Throws<ShapeMismatchException>(() => c.Run([first, first], outputs));
        Assert.Contains($"input '{net.Inputs[1].Name}'", e.Message);
    }

    [Fact]
    public void LeNet5CountsMatchTheHandCount()
    {
        // parameters: c1 6·1·25 + 6 = 156; c3 16·6·25 + 16 = 2416; c5 400·120 + 120 = 48120; f6 120·84 + 84 = 10164;
        //             output 84·10 + 10 = 850 → 61,706
        // MACs: c1 6·28·28·25 = 117,600; c3 16·10·10·150 = 240,000; c5 48,000; f6 10,080; output 840 → 416,520
        var net = SharpConv.Zoo.Zoo.LeNet5();
        Assert.Equal(61_706, net.ParameterCount);
        Assert.Equal(416_520, net.Macs);
        Assert.Equal(156, net["c1"].Op.TrainableParameterCount);
        Assert.Equal(240_000, net["c3"].Macs);
        Assert.Equal(new Shape(1, 10), net.OutputShape);
    }

    [Fact]
    public void SingleTensorRunReturnsTheFirstOutputOfAMultiOutputNetwork()
    {
        // Network.RunReference(input) and CompiledNetwork.Run(input) used to throw "expected 2 output tensor(s)"
        // on a network with an auxiliary head (GoogLeNet-style); they return the first output.
        var net = ArenaTests.Branching();
        var input = Tensor.RandomNormal(new Shape(2, 3, 8, 8), 4);
        var expected = Evaluate(net, input)[0];
        AssertClose(expected, net.RunReference(input), 0);
        using var c = net.Compile();
        AssertClose(expected, c.Run(input), 1e-5);
    }

    [Fact]
    public void StepMacsAddUpToTheNetworkAndScaleWithTheBatch()
    {
        var net = ArenaTests.Branching();
        using var c = net.Compile(CompileOptions.Reference);
        Assert.Equal(net.Macs, c.PlanFor(1).Steps.Sum(s => s.Macs));
        Assert.Equal(3 * net.Macs, c.PlanFor(3).Steps.Sum(s => s.Macs));
        Assert.Equal(net.Nodes.Count(n => n.Op is not SharpConv.Ops.Input), c.Steps.Count);
    }

    [Fact]
    public void InputsKeepDeclarationOrder()
    {
        var b = new NetworkBuilder("order");
        var first = b.Input(2, 4, 4, name: "first");
        var second = b.Input(2, 4, 4, name: "second");
        var net = b.Build(b.Add(second.Relu(), first));
        Assert.Equal(new[] { "first", "second" }, net.Inputs.Select(n => n.Name));
    }

    [Fact]
    public void DisposedNetworkRefusesToRun()
    {
        var c = ArenaTests.Branching().Compile();
        c.Dispose();
        Assert.Throws<ObjectDisposedException>(() => c.Run(new Tensor(new Shape(1, 3, 8, 8))));
    }
}
