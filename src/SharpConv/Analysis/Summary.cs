using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Analysis;

/// <summary>
/// A model summary in the torchinfo/Keras tradition: every layer with its type, hyper-parameters, output shape,
/// parameters, multiply-accumulates and activation size; the totals; and the lecture's question — which kinds of
/// layer hold the parameters, the activations and the compute — as breakdowns by layer kind, by category and by stage.
/// </summary>
/// <remarks>
/// <para>Conventions (stated because summary tools disagree on them):</para>
/// <list type="bullet">
/// <item>1 MAC (multiply-accumulate) = 2 FLOPs, so <see cref="GFlops"/> = 2 × <see cref="GMacs"/>. Only Conv2d and
/// Linear report MACs (pooling, BatchNorm, activations count 0), as in ptflops and fvcore.</item>
/// <item>An activation is one float (4 bytes). <see cref="ActivationBytes"/> sums the outputs of every layer of one
/// forward pass — every node is its own buffer, so a ReLU counts even though a framework may run it in place; the
/// input is reported separately as <see cref="InputBytes"/>.</item>
/// <item><see cref="PeakActivationBytes"/> is what a forward pass really needs at once: the arena of SharpConv's
/// liveness plan (inputs included), where buffers whose lifetimes do not overlap share memory.</item>
/// <item><see cref="ParameterBytes"/> counts trainable parameters and buffers (BatchNorm running statistics) at 4 bytes.</item>
/// </list>
/// The summary is data only; <see cref="ToText"/> renders a fixed-width table, richer renderers live in the CLI.
/// </remarks>
public sealed class Summary
{
    /// <summary>Bytes of one float activation or parameter.</summary>
    public const int BytesPerFloat = 4;

    private Summary(string network, int batch, Shape inputShape, IReadOnlyList<Shape> outputShapes, IReadOnlyList<LayerSummary> layers, long peakBytes)
    {
        Network = network; Batch = batch; InputShape = inputShape; OutputShapes = outputShapes; Layers = layers;
        TrainableParameters = layers.Sum(l => l.Parameters);
        Buffers = layers.Sum(l => l.Buffers);
        Macs = layers.Sum(l => l.Macs);
        ActivationBytes = layers.Sum(l => l.ActivationBytes);
        InputBytes = inputShape.ElementCount * BytesPerFloat;
        PeakActivationBytes = peakBytes;
        ByKind = Breakdown(layers, l => l.Kind);
        ByCategory = Breakdown(layers, l => l.Category.ToString());
        ByStage = Breakdown(layers, l => l.Stage);
    }

    /// <summary>
    /// Summarises <paramref name="network"/> at batch size <paramref name="batch"/> (null: the batch the network was
    /// declared with). Shapes and MACs are re-inferred for that batch; nothing is run and no weight is materialised.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is below 1.</exception>
    /// <exception cref="LimitExceededException">The activations at that batch exceed <see cref="Limits"/>.</exception>
    public static Summary Of(Network network, int? batch = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        int n = batch ?? (network.InputShape.Rank > 0 ? network.InputShape[0] : 1);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(batch), n, "batch must be ≥ 1.");

        var shapes = network.InferShapes(n);
        var index = new Dictionary<Node, int>(network.Nodes.Count);
        for (int i = 0; i < network.Nodes.Count; i++) index[network.Nodes[i]] = i;

        var layers = new List<LayerSummary>(network.Nodes.Count);
        for (int i = 0; i < network.Nodes.Count; i++)
        {
            var node = network.Nodes[i];
            if (node.Op is Input) continue; // the input is a row of its own in every summary tool: InputShape/InputBytes
            var inShapes = new Shape[node.Inputs.Count];
            for (int j = 0; j < inShapes.Length; j++) inShapes[j] = shapes[index[node.Inputs[j]]];
            var output = shapes[i];
            // A constant is stored, not computed: it is not an activation of the forward pass.
            long activation = node.Op is Constant ? 0 : output.ElementCount * BytesPerFloat;
            layers.Add(new LayerSummary(
                layers.Count, node.Name, node.Op.Kind, LayerCategories.Of(node.Op), node.Op.Describe(), output,
                node.Op.TrainableParameterCount, node.Op.BufferCount, node.Op.Macs(inShapes, output), activation,
                node.Stage, node.Scope, node.Inputs.Select(x => x.Name).ToArray()));
        }

        // The peak comes from the same planner the runtime uses. Reference options keep every node (no folding, no
        // identity removal), so the plan covers exactly the layers listed above, and no weight is touched.
        long peak;
        using (var compiled = network.Compile(CompileOptions.Reference))
            peak = compiled.PlanFor(n).ArenaElements * BytesPerFloat;

        var outputShapes = network.Outputs.Select(o => shapes[index[o]]).ToArray();
        var inputShape = network.Inputs.Count == 1 ? shapes[index[network.Inputs[0]]] : network.Inputs[0].OutputShape.WithBatch(n);
        var summary = new Summary(network.Name, n, inputShape, outputShapes, layers, peak);
        if (network.Inputs.Count > 1)
            summary.InputBytes = network.Inputs.Sum(x => shapes[index[x]].ElementCount) * BytesPerFloat;
        return summary;
    }

    private static IReadOnlyList<BreakdownRow> Breakdown(IReadOnlyList<LayerSummary> layers, Func<LayerSummary, string> key)
    {
        long p = layers.Sum(l => l.Parameters), a = layers.Sum(l => l.ActivationBytes), m = layers.Sum(l => l.Macs);
        // Groups keep the order of first appearance: stages read in network order, kinds in the order they are met.
        var order = new List<string>();
        var groups = new Dictionary<string, List<LayerSummary>>(StringComparer.Ordinal);
        foreach (var l in layers)
        {
            string k = key(l);
            if (!groups.TryGetValue(k, out var g)) { groups[k] = g = new List<LayerSummary>(); order.Add(k); }
            g.Add(l);
        }
        return order.Select(k =>
        {
            var g = groups[k];
            long gp = g.Sum(l => l.Parameters), ga = g.Sum(l => l.ActivationBytes), gm = g.Sum(l => l.Macs);
            return new BreakdownRow(k, g.Count, gp, g.Sum(l => l.Buffers), gm, ga,
                Share(gp, p), Share(ga, a), Share(gm, m), g[^1].OutputShape);
        }).ToArray();
    }

    private static double Share(long part, long total) => total == 0 ? 0 : (double)part / total;

    /// <summary>The network's name.</summary>
    public string Network { get; }
    /// <summary>The batch size every number below is for.</summary>
    public int Batch { get; }
    /// <summary>The (first) input's shape at <see cref="Batch"/>.</summary>
    public Shape InputShape { get; }
    /// <summary>The output shapes at <see cref="Batch"/>.</summary>
    public IReadOnlyList<Shape> OutputShapes { get; }
    /// <summary>Every layer (every node but the inputs), in execution order.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Trainable parameters (the published count).</summary>
    public long TrainableParameters { get; }
    /// <summary>Non-trainable buffers (BatchNorm running mean and variance, constants).</summary>
    public long Buffers { get; }
    /// <summary>Multiply-accumulates of one forward pass at <see cref="Batch"/>.</summary>
    public long Macs { get; }
    /// <summary>Multiply-accumulates per image.</summary>
    public double MacsPerImage => (double)Macs / Batch;
    /// <summary>Billions of multiply-accumulates at <see cref="Batch"/>.</summary>
    public double GMacs => Macs / 1e9;
    /// <summary>Billions of floating-point operations at <see cref="Batch"/>, counting 1 MAC = 2 FLOPs.</summary>
    public double GFlops => 2 * Macs / 1e9;
    /// <summary>Bytes of the input(s).</summary>
    public long InputBytes { get; private set; }
    /// <summary>Sum of the bytes of every layer output in one forward pass (no backward, input not included).</summary>
    public long ActivationBytes { get; }
    /// <summary>Bytes of the parameters and buffers (4 bytes each).</summary>
    public long ParameterBytes => (TrainableParameters + Buffers) * BytesPerFloat;
    /// <summary>Peak activation memory of a forward pass: the liveness-planned arena (inputs included).</summary>
    public long PeakActivationBytes { get; }

    /// <summary>By layer type (<c>Conv2d</c>, <c>Linear</c>, <c>BatchNorm</c>, <c>MaxPool2d</c>…): each type's share of parameters, activations and MACs.</summary>
    public IReadOnlyList<BreakdownRow> ByKind { get; }
    /// <summary>By category (convolution, fully connected, normalisation, pooling, activation…), coarser than <see cref="ByKind"/>.</summary>
    public IReadOnlyList<BreakdownRow> ByCategory { get; }
    /// <summary>By stage (<see cref="Node.Stage"/>: the first segment of the builder scope), in network order.</summary>
    public IReadOnlyList<BreakdownRow> ByStage { get; }

    /// <summary>The breakdown row of a layer kind, or null when the network has none.</summary>
    public BreakdownRow? Kind(string kind) => ByKind.FirstOrDefault(r => r.Key == kind);

    /// <summary>The breakdown row of a category, or null when the network has none.</summary>
    public BreakdownRow? Category(LayerCategory category) => ByCategory.FirstOrDefault(r => r.Key == category.ToString());

    /// <summary>A fixed-width, torchinfo-like rendering: the layer table, totals and the breakdown by kind.</summary>
    public string ToText() => SummaryText.Render(this);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Network}: {TrainableParameters:N0} parameters, {Units.Giga(Macs)} GMACs, peak activations {Units.Megabytes(PeakActivationBytes)} (batch {Batch})";
}

/// <summary>One layer of a <see cref="Summary"/>.</summary>
/// <param name="Index">Position among the summarised layers (inputs excluded).</param>
/// <param name="Name">Node name, e.g. <c>layer1.0.conv1</c>.</param>
/// <param name="Kind">Layer type, e.g. <c>Conv2d</c>.</param>
/// <param name="Category">Coarse category (convolution, pooling…).</param>
/// <param name="HyperParameters">The op's short description, e.g. <c>3×3/1 p1, 64</c>.</param>
/// <param name="OutputShape">Output shape at the summary's batch.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Buffers">Non-trainable buffers.</param>
/// <param name="Macs">Multiply-accumulates at the summary's batch.</param>
/// <param name="ActivationBytes">Bytes of the output (4 per float); 0 for constants.</param>
/// <param name="Stage">Top-level stage.</param>
/// <param name="Scope">Full builder scope.</param>
/// <param name="Inputs">Names of the nodes read.</param>
public sealed record LayerSummary(int Index, string Name, string Kind, LayerCategory Category, string HyperParameters, Shape OutputShape,
    long Parameters, long Buffers, long Macs, long ActivationBytes, string Stage, string Scope, IReadOnlyList<string> Inputs);

/// <summary>One group of a breakdown (a layer kind, a category or a stage). Shares are fractions in [0, 1].</summary>
/// <param name="Key">The kind, category or stage name.</param>
/// <param name="Layers">Layers in the group.</param>
/// <param name="Parameters">Trainable parameters of the group.</param>
/// <param name="Buffers">Buffers of the group.</param>
/// <param name="Macs">Multiply-accumulates of the group.</param>
/// <param name="ActivationBytes">Activation bytes of the group.</param>
/// <param name="ParameterShare">Fraction of all trainable parameters.</param>
/// <param name="ActivationShare">Fraction of all activation bytes.</param>
/// <param name="MacShare">Fraction of all MACs.</param>
/// <param name="LastOutputShape">Output shape of the group's last layer (a stage's output).</param>
public sealed record BreakdownRow(string Key, int Layers, long Parameters, long Buffers, long Macs, long ActivationBytes,
    double ParameterShare, double ActivationShare, double MacShare, Shape LastOutputShape);

/// <summary>Coarse layer categories, for the "where do parameters, memory and compute live" question.</summary>
public enum LayerCategory
{
    /// <summary>Conv2d (grouped and depthwise included).</summary>
    Convolution,
    /// <summary>Linear (fully connected).</summary>
    FullyConnected,
    /// <summary>BatchNorm, LRN.</summary>
    Normalization,
    /// <summary>Max, average, global and adaptive pooling.</summary>
    Pooling,
    /// <summary>ReLU, tanh, sigmoid, softmax, clip….</summary>
    Activation,
    /// <summary>Add, Concat, Mean, element-wise arithmetic: where branches meet.</summary>
    Merge,
    /// <summary>Flatten, Reshape, padding, dropout, scaling: data movement and inference identities.</summary>
    Other,
}

/// <summary>Maps an op to its <see cref="LayerCategory"/>.</summary>
public static class LayerCategories
{
    /// <summary>The category of <paramref name="op"/>.</summary>
    public static LayerCategory Of(Op op) => op switch
    {
        Conv2d => LayerCategory.Convolution,
        Linear => LayerCategory.FullyConnected,
        BatchNorm or Lrn => LayerCategory.Normalization,
        MaxPool2d or AvgPool2d or GlobalAvgPool or GlobalMaxPool or AdaptiveAvgPool2d => LayerCategory.Pooling,
        Relu or LeakyRelu or PRelu or Tanh or Sigmoid or HardSigmoid or HardSwish or Softmax or Clip => LayerCategory.Activation,
        Add or Concat or Mean or Sub or Mul or Div or Max or Min => LayerCategory.Merge,
        _ => LayerCategory.Other,
    };
}
