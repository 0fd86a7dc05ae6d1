using SharpConv.Graph;

namespace SharpConv.Analysis;

/// <summary>
/// A number from the lecture with its working: what was computed, how (a human-readable derivation, one step a
/// line), and — where the lecture's own figure is wrong — the correction.
/// </summary>
public abstract record LectureResult
{
    /// <summary>Short topic key, as <c>sharpconv explain &lt;topic&gt;</c> takes it (e.g. <c>output-size</c>).</summary>
    public required string Topic { get; init; }
    /// <summary>One-line title, e.g. <c>AlexNet conv1 output size</c>.</summary>
    public required string Title { get; init; }
    /// <summary>The working, one step per line, ending with the result.</summary>
    public required string Derivation { get; init; }
    /// <summary>Set when the lecture states a different number: what it says and why the computed value stands.</summary>
    public string? Correction { get; init; }
    /// <summary>The headline number as printed (e.g. <c>55</c>, <c>7×7</c>, <c>271,351,808 MACs</c>).</summary>
    public abstract string Answer { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Title}: {Answer}";
}

/// <summary>Output size of a convolution or pooling along one axis: <c>(N − F + 2P) / S + 1</c>.</summary>
public sealed record OutputSizeResult : LectureResult
{
    /// <summary>N: input size.</summary>
    public required int InputSize { get; init; }
    /// <summary>F: filter size.</summary>
    public required int Filter { get; init; }
    /// <summary>S: stride.</summary>
    public required int Stride { get; init; }
    /// <summary>P: padding per side.</summary>
    public required int Padding { get; init; }
    /// <summary>The exact value of the formula (may be fractional).</summary>
    public required double Exact { get; init; }
    /// <summary>The size frameworks produce: <c>⌊(N − F + 2P) / S⌋ + 1</c>.</summary>
    public required int Size { get; init; }
    /// <summary>True when the stride divides <c>N − F + 2P</c>: the filter tiles the input exactly.</summary>
    public required bool Fits { get; init; }
    /// <summary>Input pixels (padding included) the last window never reaches when it does not fit.</summary>
    public required int UnusedPixels { get; init; }
    /// <inheritdoc/>
    public override string Answer => Fits ? $"{Size}" : $"{Units.F(Exact, "0.##")} — does not fit (frameworks floor to {Size})";
}

/// <summary>Receptive field of a stack of convolutions/poolings.</summary>
public sealed record ReceptiveFieldResult : LectureResult
{
    /// <summary>Kernel sizes, first layer first.</summary>
    public required IReadOnlyList<int> Kernels { get; init; }
    /// <summary>Strides, first layer first.</summary>
    public required IReadOnlyList<int> Strides { get; init; }
    /// <summary>The receptive field after each layer.</summary>
    public required IReadOnlyList<int> AfterEachLayer { get; init; }
    /// <summary>The receptive field of the whole stack (one side, in input pixels).</summary>
    public int Size => AfterEachLayer.Count == 0 ? 1 : AfterEachLayer[^1];
    /// <inheritdoc/>
    public override string Answer => $"{Size}×{Size}";
}

/// <summary>Parameters of one convolution: <c>F·F·Cin/G·Cout + Cout</c>.</summary>
public sealed record ConvParametersResult : LectureResult
{
    /// <summary>Weights <c>F·F·Cin/G·Cout</c>.</summary>
    public required long Weights { get; init; }
    /// <summary>Biases (Cout, or 0).</summary>
    public required long Biases { get; init; }
    /// <summary>Weights + biases.</summary>
    public long Total => Weights + Biases;
    /// <inheritdoc/>
    public override string Answer => $"{Units.Exact(Total)} ({Units.Exact(Weights)} weights + {Units.Exact(Biases)} biases)";
}

/// <summary>A stack of small filters against one large filter with the same receptive field.</summary>
public sealed record StackedFiltersResult : LectureResult
{
    /// <summary>The small kernel (3 for 3×3).</summary>
    public required int SmallKernel { get; init; }
    /// <summary>How many small layers are stacked.</summary>
    public required int Layers { get; init; }
    /// <summary>Channels in and out of every layer.</summary>
    public required int Channels { get; init; }
    /// <summary>The equivalent large kernel (the stack's receptive field).</summary>
    public required int LargeKernel { get; init; }
    /// <summary>Weights of the stack (no biases): <c>L·k²·C²</c>.</summary>
    public required long StackWeights { get; init; }
    /// <summary>Weights of the single large filter (no biases): <c>K²·C²</c>.</summary>
    public required long LargeWeights { get; init; }
    /// <summary>Stack weights / large weights.</summary>
    public double Ratio => (double)StackWeights / LargeWeights;
    /// <inheritdoc/>
    public override string Answer => $"{Units.Exact(StackWeights)} vs {Units.Exact(LargeWeights)} weights ({Units.Percent(Ratio)})";
}

/// <summary>One layer's cost in a worked example.</summary>
/// <param name="Layer">The node name.</param>
/// <param name="Description">The lecture's notation, e.g. <c>[3x3 conv, 192]</c>.</param>
/// <param name="Formula">The multiplication, e.g. <c>28×28×192 × 3×3×64</c>.</param>
/// <param name="Macs">Multiply-accumulates (from the engine's counter).</param>
/// <param name="Parameters">Trainable parameters.</param>
public sealed record LayerCost(string Layer, string Description, string Formula, long Macs, long Parameters);

/// <summary>The Inception module worked example: naive module against the one with 1×1 reductions.</summary>
public sealed record InceptionModuleResult : LectureResult
{
    /// <summary>The naive module, as built.</summary>
    public required Network Naive { get; init; }
    /// <summary>The module with 1×1 dimension reductions, as built.</summary>
    public required Network Reduced { get; init; }
    /// <summary>Output shape of the naive module (1×672×28×28 in the lecture).</summary>
    public Shape NaiveOutput => Naive.OutputShape;
    /// <summary>Output shape of the reduced module (1×480×28×28).</summary>
    public Shape ReducedOutput => Reduced.OutputShape;
    /// <summary>MACs of the naive module (<see cref="Network.Macs"/>).</summary>
    public long NaiveMacs => Naive.Macs;
    /// <summary>MACs of the reduced module (<see cref="Network.Macs"/>).</summary>
    public long ReducedMacs => Reduced.Macs;
    /// <summary>The naive module's layers.</summary>
    public required IReadOnlyList<LayerCost> NaiveLayers { get; init; }
    /// <summary>The reduced module's layers.</summary>
    public required IReadOnlyList<LayerCost> ReducedLayers { get; init; }
    /// <summary>What the lecture claims for the reduced module (358M), kept to show the correction.</summary>
    public long LectureReducedClaim { get; init; } = 358_000_000;
    /// <inheritdoc/>
    public override string Answer => $"naive {Units.Short(NaiveMacs)} MACs → reduced {Units.Short(ReducedMacs)} MACs ({Units.Exact(ReducedMacs)})";
}

/// <summary>What global average pooling saves against a fully connected layer on the last feature map.</summary>
public sealed record GlobalPoolingSavingsResult : LectureResult
{
    /// <summary>Weights of the FC layer replaced (<c>H·W·C·Out</c>).</summary>
    public required long FcWeights { get; init; }
    /// <summary>Its biases.</summary>
    public required long FcBiases { get; init; }
    /// <summary>Parameters of global average pooling (always 0).</summary>
    public long GapParameters => 0;
    /// <inheritdoc/>
    public override string Answer => $"{Units.Exact(FcWeights)} weights ≈ {Units.Short(FcWeights)} saved";
}

/// <summary>Activation memory of one forward pass, counted three ways.</summary>
public sealed record ForwardMemoryResult : LectureResult
{
    /// <summary>Images in the pass.</summary>
    public required int Batch { get; init; }
    /// <summary>The lecture's convention: the input plus the outputs of conv, pooling and FC layers (ReLU in place).</summary>
    public required long LectureConventionValues { get; init; }
    /// <summary>Every node's output plus the input (what a framework that keeps every layer's output holds).</summary>
    public required long AllOutputValues { get; init; }
    /// <summary>The liveness-planned peak: buffers whose lifetimes do not overlap share memory.</summary>
    public required long PeakValues { get; init; }
    /// <summary>The lecture's stated total, when it states one.</summary>
    public long? LectureClaimValues { get; init; }
    /// <summary>Bytes of <see cref="LectureConventionValues"/>.</summary>
    public long LectureConventionBytes => LectureConventionValues * Summary.BytesPerFloat;
    /// <inheritdoc/>
    public override string Answer => $"{Units.Short(LectureConventionValues)} values ≈ {Units.Megabytes(LectureConventionBytes)} (peak {Units.Megabytes(PeakValues * Summary.BytesPerFloat)})";
}

/// <summary>Where a network keeps its parameters, activations and compute.</summary>
public sealed record WhereThingsLiveResult : LectureResult
{
    /// <summary>The summary the shares come from.</summary>
    public required Summary Summary { get; init; }
    /// <summary>Fraction of trainable parameters in fully connected layers.</summary>
    public required double FullyConnectedParameterShare { get; init; }
    /// <summary>Fraction of MACs in convolutions.</summary>
    public required double ConvolutionMacShare { get; init; }
    /// <summary>Activation bytes by spatial resolution (<c>224×224</c> …, <c>vector</c>), highest resolution first.</summary>
    public required IReadOnlyList<(string Resolution, double Share)> ActivationShareByResolution { get; init; }
    /// <inheritdoc/>
    public override string Answer =>
        $"FC {Units.Percent(FullyConnectedParameterShare)} of parameters; convs {Units.Percent(ConvolutionMacShare)} of MACs; " +
        $"{(ActivationShareByResolution.Count > 0 ? $"{ActivationShareByResolution[0].Resolution} layers {Units.Percent(ActivationShareByResolution[0].Share)} of activations" : "")}";
}
