using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Tests.Graph;

internal static class GraphCheck
{
    /// <summary>
    /// The obvious evaluator: every node of the (uncompiled) network in order, each output a fresh tensor, inputs fed
    /// in <see cref="Network.Inputs"/> order. Independent of the compiler, its passes and its arena.
    /// </summary>
    public static Tensor[] Evaluate(Network net, params Tensor[] inputs)
    {
        var values = new Dictionary<Node, Tensor>();
        for (int i = 0; i < net.Inputs.Count; i++) values[net.Inputs[i]] = inputs[i];
        foreach (var n in net.Nodes)
        {
            if (n.Op is Input) continue;
            var ins = n.Inputs.Select(x => values[x]).ToArray();
            var y = new Tensor(n.Op.InferShape(n.Name, ins.Select(t => t.Shape).ToArray()));
            n.Op.RunReference(ins, y);
            values[n] = y;
        }
        return net.Outputs.Select(o => values[o]).ToArray();
    }

    /// <summary>
    /// A fusion pass keeps the bits: the network compiled with the pass off (<paramref name="disable"/> …
    /// <paramref name="enable"/>, one thread) matches the op-by-op evaluation within 1e-5 at batch 1 and 3, and the
    /// network compiled with it on gives exactly its output on 1, 2 and 3 threads, with no live arena overlap.
    /// </summary>
    public static void AssertFusionKeepsBits(Func<int, Network> build, Func<int, Shape> inputShape, Action disable, Action enable)
    {
        var net = build(1);
        CompiledNetwork apart;
        disable();
        try { apart = net.Compile(new CompileOptions { Threads = 1 }); }
        finally { enable(); }
        using (apart)
            foreach (int batch in new[] { 1, 3 })
            {
                var input = Tensor.RandomNormal(inputShape(batch), batch);
                var want = apart.Run(input);
                AssertClose(Evaluate(build(batch), input)[0], want, 1e-5);
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    using var c = net.Compile(new CompileOptions { Threads = threads });
                    AssertNoLiveOverlap(c.PlanFor(batch));
                    Assert.Equal(want.ToArray(), c.Run(input).ToArray());
                }
            }
    }

    /// <summary>Runs a compiled network with several inputs, allocating the outputs.</summary>
    public static Tensor[] Run(CompiledNetwork c, params Tensor[] inputs)
    {
        var plan = c.PlanFor(inputs[0].Shape[0]);
        var outputs = plan.OutputSlots.Select(s => new Tensor(plan.SlotShapes[s])).ToArray();
        c.Run(inputs, outputs);
        return outputs;
    }

    /// <summary>max |a − b| ≤ tolerance · max(1, max |b|): a tolerance relative to the tensor's scale.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double scale = 1, worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
            Assert.False(float.IsNaN(actual[i]), $"NaN at {i}");
        }
        Assert.True(worst <= tolerance * scale, $"max difference {worst:g3} exceeds {tolerance:g3} × {scale:g3}");
    }

    /// <summary>
    /// Checks an arena layout from the public plan alone: a value is live from the step that writes it (network inputs:
    /// from before the first step) to the last step that reads it (network outputs: to the end). At every step, the
    /// slot it writes must not overlap any other slot live at that moment — in particular its own inputs and anything
    /// read later — and the network inputs must not overlap one another.
    /// </summary>
    public static void AssertNoLiveOverlap(ExecutionPlan plan)
    {
        int slots = plan.SlotShapes.Count;
        const int Never = int.MaxValue;
        var born = Enumerable.Repeat(Never, slots).ToArray();
        foreach (int s in plan.InputSlots) born[s] = -1;
        foreach (var step in plan.Steps)
        {
            Assert.Equal(Never, born[step.OutputSlot]); // each slot written by one step only
            born[step.OutputSlot] = step.Index;
        }
        var dies = born.ToArray();
        foreach (var step in plan.Steps)
            foreach (int s in step.InputSlots)
            {
                Assert.True(born[s] < step.Index || plan.SlotOffsets[s] < 0, $"step {step.Name} reads slot {s} before it is written");
                dies[s] = Math.Max(dies[s], step.Index);
            }
        foreach (int s in plan.OutputSlots) dies[s] = Never;

        bool InArena(int s) => plan.SlotOffsets[s] >= 0;
        // A slot's memory: one range per image, images a slot image stride apart (wider than the image for values the
        // plan wrote into a concatenation in place).
        long Image(int s) => plan.SlotShapes[s].ElementsFrom(1);
        int Images(int s) => plan.SlotShapes[s].Rank > 0 ? Math.Max(1, plan.SlotShapes[s][0]) : 1;
        IEnumerable<(long Start, long End)> Ranges(int s)
        {
            for (int n = 0; n < Images(s); n++)
            {
                long start = plan.SlotOffsets[s] + n * plan.SlotImageStrides[s];
                yield return (start, start + Image(s));
            }
        }
        bool Overlaps(int a, int b) => Image(a) > 0 && Image(b) > 0 &&
            Ranges(a).Any(x => Ranges(b).Any(y => x.Start < y.End && y.Start < x.End));
        foreach (int s in Enumerable.Range(0, slots).Where(InArena))
        {
            Assert.True(plan.SlotImageStrides[s] >= Image(s), $"slot {s}: image stride below the image size");
            Assert.True(Ranges(s).All(r => r.End <= plan.ArenaElements), $"slot {s} reaches beyond the arena");
        }

        var inputs = plan.InputSlots.Distinct().Where(InArena).ToArray();
        for (int i = 0; i < inputs.Length; i++)
            for (int j = i + 1; j < inputs.Length; j++)
                Assert.False(Overlaps(inputs[i], inputs[j]), $"network inputs {inputs[i]} and {inputs[j]} overlap");

        bool IsPlacedAt(CompiledStep concat, int v)
        {
            int o = concat.OutputSlot;
            long inner = plan.SlotShapes[o].ElementsFrom(2), channel = 0;
            foreach (int input in concat.InputSlots)
            {
                if (input == v)
                    return plan.SlotOffsets[v] == plan.SlotOffsets[o] + channel * inner && plan.SlotImageStrides[v] == plan.SlotImageStrides[o];
                channel += plan.SlotShapes[input][1];
            }
            return false;
        }

        foreach (var step in plan.Steps)
        {
            int o = step.OutputSlot;
            if (!InArena(o)) continue;
            if (step.InPlace)
            {
                // Nothing runs: each input must already be the output's channel range it stands for.
                long inner = plan.SlotShapes[o].ElementsFrom(2), channel = 0;
                foreach (int v in step.InputSlots)
                {
                    Assert.Equal(plan.SlotOffsets[o] + channel * inner, plan.SlotOffsets[v]);
                    Assert.Equal(plan.SlotImageStrides[o], plan.SlotImageStrides[v]);
                    channel += plan.SlotShapes[v][1];
                }
                continue;
            }
            for (int v = 0; v < slots; v++)
            {
                if (v == o || !InArena(v)) continue;
                bool live = born[v] < step.Index && dies[v] >= step.Index;
                // A concatenation's copy may cover an input its producer already wrote into place (the same values),
                // and only at that input's own channel range.
                bool placedInput = step.Kind == "Concat" && IsPlacedAt(step, v);
                if (live && !placedInput)
                    Assert.False(Overlaps(o, v), $"step {step.Index} ({step.Name}) writes slot {o} over live slot {v}");
            }
        }
    }
}
