using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;
using static SharpConv.Tests.Graph.GraphCheck;

namespace SharpConv.Tests.Graph;

public class ArenaTests
{
    /// <summary>An Inception-style block with a residual join and an auxiliary output: many overlapping lifetimes.</summary>
    internal static Network Branching(int batch = 1)
    {
        var b = new NetworkBuilder("branching", seed: 5);
        var x = b.Input(3, 8, 8, batch).Conv(8, 3, padding: 1).Relu();
        var b1 = x.Conv(4, 1);
        var b2 = x.Conv(4, 1).Relu().Conv(6, 3, padding: 1);
        var b3 = x.Conv(2, 1).Relu().Conv(3, 5, padding: 2);
        var b4 = x.MaxPool(3, 1, padding: 1).Conv(3, 1);
        var cat = b.Concat(b1, b2, b3, b4).Relu();                   // 16 channels
        var res = b.Add(cat.Conv(16, 3, padding: 1).BatchNorm(), cat).Relu();
        var aux = x.GlobalAvgPool().Flatten().Linear(4, name: "aux");
        var head = res.AvgPool(2, 2).GlobalAvgPool().Flatten().Dropout().Linear(5, name: "head");
        return b.Build([head, aux]);
    }

    [Fact]
    public void BranchingGraphHasNoLiveOverlapAndMatchesTheEvaluator()
    {
        var net = Branching();
        using var c = net.Compile();
        foreach (int batch in new[] { 1, 2 })
        {
            var plan = c.PlanFor(batch);
            AssertNoLiveOverlap(plan);
            long sum = plan.SlotShapes.Sum(s => s.ElementCount);
            Assert.True(plan.ArenaElements < sum, $"arena {plan.ArenaElements} should reuse memory (sum {sum})");
            var input = Tensor.RandomNormal(new Shape(batch, 3, 8, 8), batch);
            var expected = Evaluate(net, input);
            var found = Run(c, input);
            AssertClose(expected[0], found[0], 1e-5);
            AssertClose(expected[1], found[1], 1e-5);
        }
    }

    /// <summary>
    /// Two inputs where the second is only read at the end: its slot must be live from the start (the inputs are
    /// copied in before the first step), not only from where it appears in the node order.
    /// </summary>
    [Fact]
    public void LateReadInputIsNotOverwritten()
    {
        var b = new NetworkBuilder("late");
        var a = b.Input(2, 4, 4, name: "a");
        var late = b.Input(2, 4, 4, name: "b");
        var t = a.Conv(2, 3, padding: 1).Relu().Conv(2, 3, padding: 1);
        var net = b.Build(b.Add(t, late));
        using var c = net.Compile();
        AssertNoLiveOverlap(c.PlanFor(1));
        var inputs = net.Inputs.Select((n, i) => Tensor.RandomNormal(n.OutputShape, 10 + i)).ToArray();
        AssertClose(Evaluate(net, inputs)[0], Run(c, inputs)[0], 1e-6);
    }

    [Fact]
    public void RandomGraphsHaveNoLiveOverlapAndMatchTheEvaluator()
    {
        for (int seed = 1; seed <= 40; seed++)
        {
            var net = RandomGraph(seed);
            var inputs = net.Inputs.Select((n, i) => Tensor.RandomNormal(n.OutputShape.WithBatch(2), seed * 10 + i)).ToArray();
            var expected = Evaluate(net, inputs);
            foreach (var options in new[] { new CompileOptions(), CompileOptions.Reference })
            {
                using var c = net.Compile(options);
                AssertNoLiveOverlap(c.PlanFor(1));
                AssertNoLiveOverlap(c.PlanFor(2));
                var found = Run(c, inputs);
                for (int o = 0; o < expected.Length; o++) AssertClose(expected[o], found[o], 1e-5);
            }
        }
    }

    /// <summary>
    /// A seeded random DAG over 2×3×3 maps: chains, branches, joins (Add, Mean, Concat), identities to remove,
    /// BatchNorms to fold, up to three inputs (possibly read late) and up to three outputs.
    /// </summary>
    internal static Network RandomGraph(int seed)
    {
        var rng = new SeededRandom((ulong)seed);
        int Next(int n) => (int)(rng.NextUInt64() % (ulong)n);
        var b = new NetworkBuilder($"random{seed}", seed);
        var values = new List<Value> { b.Input(2, 3, 3, name: "in0") };
        int inputs = 1;
        Value Pick() => values[values.Count - 1 - Next(Math.Min(values.Count, 6))];
        for (int i = 0; i < 16; i++)
        {
            Value v = Next(11) switch
            {
                0 => Pick().Relu(),
                1 => Pick().Then(new Scale(0.5f, 1f)),
                2 => b.Add(Pick(), Pick()),
                3 => b.Mean([Pick(), Pick(), Pick()]),
                4 => b.Concat(Pick(), Pick()).Conv(2, 1),
                5 => Pick().Conv(2, 3, padding: 1).Then(CompilePassTests.RandomBatchNorm(2, seed * 100 + i)),
                6 => Pick().Dropout(),
                7 => inputs < 3 ? b.Input(2, 3, 3, name: $"in{inputs++}") : Pick().Tanh(),
                8 => Pick().MaxPool(3, 1, padding: 1),
                9 => Pick().Scale(1f),
                _ => b.Add(Pick(), Pick().Conv(2, 1, bias: false)),
            };
            values.Add(v);
        }
        var outputs = new List<Value> { values[^1] };
        for (int k = Next(3); k > 0; k--)
        {
            var o = values[Next(values.Count)];
            if (!outputs.Any(x => x.Node == o.Node)) outputs.Add(o);
        }
        return b.Build(outputs);
    }

    [Fact]
    public void ChainNeedsTwoBuffers()
    {
        var b = new NetworkBuilder("chain");
        var x = b.Input(4, 8, 8);
        for (int i = 0; i < 6; i++) x = x.Relu();
        using var c = b.Build(x).Compile();
        var plan = c.PlanFor(3);
        AssertNoLiveOverlap(plan);
        Assert.Equal(2 * 3 * 4 * 8 * 8, plan.ArenaElements);
    }

    [Fact]
    public void ConstantsLiveOutsideTheArena()
    {
        var b = new NetworkBuilder("const");
        var x = b.Input(2, 2, 2);
        var bias = b.Constant(Tensor.Filled(new Shape(1, 2, 1, 1), 10f));
        var net = b.Build(b.Add(new Add(), [x.Relu(), bias]));
        using var c = net.Compile();
        var plan = c.PlanFor(1);
        AssertNoLiveOverlap(plan);
        Assert.Contains(plan.SlotOffsets, o => o == -1);
        var input = Tensor.RandomNormal(new Shape(2, 2, 2, 2), 1);
        var y = c.Run(input);
        AssertClose(Evaluate(net, input)[0], y, 0);
        Assert.All(y.ToArray(), v => Assert.True(v >= 10f));
    }
}
