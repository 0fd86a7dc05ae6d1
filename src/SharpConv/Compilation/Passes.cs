using SharpConv.Ops;

namespace SharpConv.Compilation;

/// <summary>One rewrite of the <see cref="CompilationGraph"/>. Passes run in the order of <see cref="Compiler.Passes"/>.</summary>
public interface ICompilePass
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }
    /// <summary>Rewrites the graph.</summary>
    void Apply(CompilationGraph graph, CompileOptions options);
}

/// <summary>Removes layers that are the identity at inference: Dropout and ×1 scaling.</summary>
public sealed class RemoveIdentitiesPass : ICompilePass
{
    /// <inheritdoc/>
    public string Name => "remove-identities";
    /// <inheritdoc/>
    public void Apply(CompilationGraph graph, CompileOptions options)
    {
        if (!options.RemoveIdentities) return;
        foreach (var node in graph.Nodes.ToList())
        {
            bool identity = node.Op is Dropout || node.Op is Scale { Multiplier: 1f, Offset: 0f };
            if (!identity || graph.Inputs.Contains(node.Inputs[0]) && graph.Outputs.Contains(node)) continue;
            graph.Bypass(node, node.Inputs[0]);
            graph.Log.Add($"{Name}: removed {node.Name} ({node.Op.Kind})");
        }
    }
}

/// <summary>
/// Folds a BatchNorm into the convolution or linear layer that feeds only it: <c>W' = W·a</c>, <c>b' = b·a + c</c>
/// per output channel, where <c>y = a·x + c</c> is the BatchNorm's affine form. One layer less, same result up to
/// rounding.
/// </summary>
public sealed class FoldBatchNormPass : ICompilePass
{
    /// <inheritdoc/>
    public string Name => "fold-batchnorm";
    /// <inheritdoc/>
    public void Apply(CompilationGraph graph, CompileOptions options)
    {
        if (!options.FoldBatchNorm) return;
        foreach (var bnNode in graph.Nodes.ToList())
        {
            if (bnNode.Op is not BatchNorm bn) continue;
            var producer = bnNode.Inputs[0];
            if (graph.HasOtherUses(producer, bnNode)) continue;
            var (a, c) = bn.AsAffine();
            Op? folded = producer.Op switch
            {
                Conv2d conv when conv.OutChannels == bn.Channels => FoldConv(conv, a, c),
                Linear lin when lin.OutFeatures == bn.Channels => FoldLinear(lin, a, c),
                _ => null,
            };
            if (folded is null) continue;
            producer.Op = folded;
            producer.Absorbed.Add(bnNode.Name);
            producer.Absorbed.AddRange(bnNode.Absorbed);
            graph.Bypass(bnNode, producer);
            graph.Log.Add($"{Name}: folded {bnNode.Name} into {producer.Name}");
        }
    }

    private static Conv2d FoldConv(Conv2d conv, float[] a, float[] c)
    {
        var w = conv.Weight.Value.Clone();
        int perChannel = w.Length / conv.OutChannels;
        var b = new Tensor(new Shape(conv.OutChannels));
        var oldBias = conv.Bias?.Value;
        for (int k = 0; k < conv.OutChannels; k++)
        {
            var row = w.Span.Slice(k * perChannel, perChannel);
            for (int i = 0; i < row.Length; i++) row[i] *= a[k];
            b[k] = (oldBias is null ? 0f : oldBias[k]) * a[k] + c[k];
        }
        return new Conv2d(w, b, (conv.StrideH, conv.StrideW), conv.Padding, (conv.DilationH, conv.DilationW), conv.Groups);
    }

    private static Linear FoldLinear(Linear lin, float[] a, float[] c)
    {
        var w = lin.Weight.Value.Clone();
        var b = new Tensor(new Shape(lin.OutFeatures));
        var oldBias = lin.Bias?.Value;
        for (int o = 0; o < lin.OutFeatures; o++)
        {
            var row = w.Span.Slice(o * lin.InFeatures, lin.InFeatures);
            for (int i = 0; i < row.Length; i++) row[i] *= a[o];
            b[o] = (oldBias is null ? 0f : oldBias[o]) * a[o] + c[o];
        }
        return new Linear(w, b);
    }
}

/// <summary>
/// Chooses each node's kernel: with <see cref="KernelSet.Fast"/>, the fast kernel for the op where one applies
/// (convolutions by the heuristic table of <see cref="Kernels.Conv.ConvAlgorithmChooser"/>, unless
/// <see cref="CompileOptions.ConvAlgorithm"/> or <see cref="CompileOptions.LayerAlgorithms"/> force one); otherwise the
/// op's reference kernel. Weights are packed and transformed here, once.
/// </summary>
public sealed class SelectKernelsPass : ICompilePass
{
    /// <inheritdoc/>
    public string Name => "select-kernels";
    /// <inheritdoc/>
    public void Apply(CompilationGraph graph, CompileOptions options)
    {
        var shapes = new Dictionary<CompiledNode, Shape>();
        foreach (var node in graph.Nodes)
        {
            var inputShapes = node.Inputs.Select(i => shapes[i]).ToArray();
            var output = node.Op is Input input ? input.Shape : node.Op.InferShape(node.Name, inputShapes);
            shapes[node] = output;
            if (node.Op is Input) continue;
            bool isConv = node.Op is Conv2d || node.Op is FusedOp { Main: Conv2d };
            string? layerChoice = LayerChoice(node, options);
            if (!isConv && layerChoice is not (null or "reference"))
                throw new InvalidLayerException(node.DisplayName, $"algorithm '{layerChoice}' is not available for {node.Op.Kind}; only convolutions choose algorithms (or 'reference').");
            string? choice = layerChoice ?? (isConv ? options.ConvAlgorithm : null);
            Kernel? fast = options.Kernels == KernelSet.Fast && choice != "reference"
                ? FastKernels.Create(node, inputShapes, output, options, choice)
                : null;
            node.Kernel = fast ?? new ReferenceKernel(node.Op);
        }
    }

    /// <summary>The algorithm <see cref="CompileOptions.LayerAlgorithms"/> forces on <paramref name="node"/> (by its
    /// display name, then its own), or null.</summary>
    internal static string? LayerChoice(CompiledNode node, CompileOptions options) =>
        options.LayerAlgorithms.TryGetValue(node.DisplayName, out var f) ? f
        : options.LayerAlgorithms.TryGetValue(node.Name, out f) ? f : null;
}

/// <summary>
/// Fuses a residual Add into the convolution (or linear layer) that feeds it — the conv's only reader — so the sum is
/// done in the conv's store: <c>y = conv(x) + shortcut</c>. The fused node runs where the Add ran, after both operands exist.
/// </summary>
public sealed class FuseResidualPass : ICompilePass
{
    /// <inheritdoc/>
    public string Name => "fuse-residual";
    /// <inheritdoc/>
    public void Apply(CompilationGraph graph, CompileOptions options)
    {
        if (!options.Fuse) return;
        foreach (var add in graph.Nodes.ToList())
        {
            if (add.Op is not Add || add.Inputs[0] == add.Inputs[1]) continue;
            for (int side = 0; side < 2; side++)
            {
                var producer = add.Inputs[side];
                var other = add.Inputs[1 - side];
                if (producer.Op is not (Conv2d or Linear) || graph.HasOtherUses(producer, add) || graph.Inputs.Contains(producer)) continue;
                var shape = add.Op.InferShape(add.Name, [ShapeOf(graph, producer), ShapeOf(graph, other)]);
                if (shape != ShapeOf(graph, producer) || shape != ShapeOf(graph, other)) continue; // broadcasting adds are not residuals
                add.Op = new FusedOp(producer.Op, residual: true, Epilogue.None);
                add.Inputs.Clear();
                add.Inputs.Add(producer.Inputs[0]);
                add.Inputs.Add(other);
                add.Absorbed.Insert(0, producer.Name);
                add.Absorbed.AddRange(producer.Absorbed);
                add.DisplayName = producer.Name;
                graph.Nodes.Remove(producer);
                graph.Log.Add($"{Name}: fused {add.Name} into {producer.Name}");
                break;
            }
        }
    }

    internal static Shape ShapeOf(CompilationGraph graph, CompiledNode node)
    {
        // Shapes at the declared batch: enough to tell an elementwise residual from a broadcast.
        return graph.Source.TryGetNode(node.Name, out var n) ? n.OutputShape : node.Op.InferShape(node.Name, node.Inputs.Select(i => ShapeOf(graph, i)).ToArray());
    }
}

/// <summary>Fuses ReLU / Clip into the convolution or linear layer (fused or not) that is its only input's producer.</summary>
public sealed class FuseActivationPass : ICompilePass
{
    /// <inheritdoc/>
    public string Name => "fuse-activation";
    /// <inheritdoc/>
    public void Apply(CompilationGraph graph, CompileOptions options)
    {
        if (!options.Fuse) return;
        foreach (var act in graph.Nodes.ToList())
        {
            Epilogue epilogue = act.Op switch
            {
                Relu => Epilogue.Relu,
                Clip c => new Epilogue(c.Min, c.Max),
                _ => Epilogue.None,
            };
            if (epilogue.IsNone || (act.Op is Clip clip && clip.Min > clip.Max)) continue;
            var producer = act.Inputs[0];
            if (graph.HasOtherUses(producer, act) || graph.Inputs.Contains(producer)) continue;
            FusedOp? fused = producer.Op switch
            {
                Conv2d or Linear => new FusedOp(producer.Op, false, epilogue),
                BatchNorm => new FusedOp(producer.Op, false, epilogue),
                FusedOp f when f.Epilogue.IsNone => new FusedOp(f.Main, f.HasResidual, epilogue, f.Prologue, f.PrologueClamp),
                _ => null,
            };
            if (fused is null) continue;
            producer.Op = fused;
            producer.Absorbed.Add(act.Name);
            graph.Bypass(act, producer);
            graph.Log.Add($"{Name}: fused {act.Name} into {producer.DisplayName}");
        }
    }
}

/// <summary>
/// Moves an unfoldable BatchNorm (+ clamp) into the 1×1 convolution that is its only reader, as that convolution's
/// input map: DenseNet's norm → relu → conv 1×1, where the norm cannot fold into the convolution before it (a ReLU and
/// a concatenation stand between them). The convolution then normalises each input channel while it packs or pads it,
/// so the normalised tensor is never written and read back. Along with the concatenations in place, this lets a dense
/// layer read its prefix of the block straight from the block's memory.
/// Only convolutions that run on the pointwise or direct kernels qualify (1×1, stride 1, no padding, groups 1, and no
/// other algorithm forced on them). The result is bit-identical to the separate pass.
/// </summary>
public sealed class FuseInputNormPass : ICompilePass
{
    /// <inheritdoc/>
    public string Name => "fuse-input-norm";

    /// <summary>A measurement knob (perf/SpeedProbe <c>-vs noinputnorm</c>); read when a network is compiled.</summary>
    internal static bool Enabled = true;

    /// <inheritdoc/>
    public void Apply(CompilationGraph graph, CompileOptions options)
    {
        if (!options.Fuse || options.Kernels != KernelSet.Fast || !Enabled) return;
        foreach (var norm in graph.Nodes.ToList())
        {
            var (bn, clamp) = norm.Op switch
            {
                BatchNorm b => (b, Epilogue.None),
                FusedOp { Main: BatchNorm b } f => (b, f.Epilogue),
                _ => ((BatchNorm?)null, Epilogue.None),
            };
            if (bn is null || graph.Outputs.Contains(norm) || graph.Inputs.Contains(norm)) continue;
            var readers = graph.ConsumersOf(norm).ToList();
            if (readers.Count != 1) continue;
            var conv = readers[0];
            var (main, residual, epilogue) = conv.Op switch
            {
                Conv2d c => (c, false, Epilogue.None),
                FusedOp { Main: Conv2d c, Prologue: null } f => (c, f.HasResidual, f.Epilogue),
                _ => ((Conv2d?)null, false, Epilogue.None),
            };
            if (main is null || conv.Inputs[0] != norm || conv.Inputs.Count(i => i == norm) != 1) continue;
            if (main.KernelH != 1 || main.KernelW != 1 || main.StrideH != 1 || main.StrideW != 1 || main.Groups != 1
                || main.Padding != default || main.InChannels != bn.Channels) continue;
            string? forced = SelectKernelsPass.LayerChoice(conv, options) ?? options.ConvAlgorithm;
            if (forced is not null && !(FastKernels.ConvAlgorithmNames.TryGetValue(forced, out var a) && a is Kernels.Conv.ConvAlgorithm.Pointwise or Kernels.Conv.ConvAlgorithm.Direct))
                continue;
            conv.Op = new FusedOp(main, residual, epilogue, bn, clamp);
            conv.Inputs[0] = norm.Inputs[0];
            conv.Absorbed.Insert(0, norm.Name);
            conv.Absorbed.InsertRange(1, norm.Absorbed);
            graph.Nodes.Remove(norm);
            graph.Log.Add($"{Name}: {norm.DisplayName} normalises the input of {conv.DisplayName}");
        }
    }
}

/// <summary>
/// Fuses a max pool into the convolution that is its only input's producer (<see cref="ConvMaxPool"/>) where the
/// convolution's output is bigger than L2 (over 1 MiB an image: the stems) and runs on the direct or im2col kernel:
/// the pooled output is computed band by band and the full-resolution activation is never stored. Bit-identical to
/// the two layers apart.
/// </summary>
public sealed class FuseConvPoolPass : ICompilePass
{
    /// <summary>Smallest convolution output (floats per image) worth fusing: past L2, the activation goes to memory.</summary>
    internal const long MinOutputFloats = 256 * 1024;

    /// <summary>A measurement knob (perf/SpeedProbe <c>-vs nopoolfusion</c>); read when a network is compiled.</summary>
    internal static bool Enabled = true;

    /// <inheritdoc/>
    public string Name => "fuse-conv-pool";

    /// <inheritdoc/>
    public void Apply(CompilationGraph graph, CompileOptions options)
    {
        if (!options.Fuse || options.Kernels != KernelSet.Fast || !Enabled) return;
        foreach (var poolNode in graph.Nodes.ToList())
        {
            if (poolNode.Op is not MaxPool2d pool || pool.Window.DilationH != 1 || pool.Window.DilationW != 1) continue;
            var convNode = poolNode.Inputs[0];
            Conv2d? conv = convNode.Op switch
            {
                Conv2d c => c,
                FusedOp { Main: Conv2d c, HasResidual: false, Prologue: null } => c,
                _ => null,
            };
            if (conv is null || conv.Groups != 1 || graph.HasOtherUses(convNode, poolNode) || graph.Inputs.Contains(convNode) || graph.Outputs.Contains(convNode)) continue;
            if ((SelectKernelsPass.LayerChoice(convNode, options) ?? options.ConvAlgorithm) is not null) continue;   // a forced algorithm runs as asked
            var convOut = FuseResidualPass.ShapeOf(graph, convNode);
            if (convOut.Rank != 4 || (long)convOut.C * convOut.H * convOut.W < MinOutputFloats) continue;
            var fused = new ConvMaxPool(convNode.Op, pool);
            var input = FuseResidualPass.ShapeOf(graph, convNode.Inputs[0]);
            if (input.Rank != 4 || ConvPoolKernel.AlgorithmFor(fused, input, input.N) is null) continue;
            poolNode.Op = fused;
            poolNode.Inputs[0] = convNode.Inputs[0];
            poolNode.Absorbed.Insert(0, convNode.Name);
            poolNode.Absorbed.InsertRange(1, convNode.Absorbed);
            poolNode.DisplayName = convNode.DisplayName;
            graph.Nodes.Remove(convNode);
            graph.Log.Add($"{Name}: {poolNode.Name} pools {convNode.DisplayName} band by band");
        }
    }
}
