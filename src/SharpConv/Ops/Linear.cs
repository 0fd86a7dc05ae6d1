namespace SharpConv.Ops;

/// <summary>
/// Fully connected layer on N×F input: <c>y = x·Wᵀ + b</c>, W of <c>Out × In</c> (PyTorch layout).
/// Parameters <c>Out·In + Out</c>; multiply-accumulates <c>N·Out·In</c>.
/// </summary>
public sealed class Linear : Op
{
    /// <summary>A linear layer with seeded He-initialised weights and zero bias.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, int seed = 0)
    {
        InFeatures = AtLeast(inFeatures, 1, "in_features", "Linear");
        OutFeatures = AtLeast(outFeatures, 1, "out_features", "Linear");
        HasBias = bias;
        var w = new Parameter("weight", new Shape(outFeatures, inFeatures), ParameterInit.HeNormal, seed, inFeatures);
        SetParameters(bias ? [w, new Parameter("bias", new Shape(outFeatures), ParameterInit.Zeros, seed + 1)] : [w]);
    }

    /// <summary>A linear layer with given weights (Out × In) and optional bias (Out).</summary>
    public Linear(Tensor weight, Tensor? bias) : this(CheckRank2(weight).Shape[1], weight.Shape[0], bias is not null)
    {
        if (bias is not null && bias.Length != weight.Shape[0])
            throw new ShapeMismatchException("Linear bias", $"{weight.Shape[0]} values", $"{bias.Length}");
        var w = new Parameter("weight", weight);
        SetParameters(bias is null ? [w] : [w, new Parameter("bias", bias.Reshape(new Shape(bias.Length)))]);
    }

    private static Tensor CheckRank2(Tensor w) =>
        w.Shape.Rank == 2 ? w : throw new ShapeMismatchException("Linear weight", "rank 2 (Out×In)", w.Shape.ToString());

    /// <summary>In features.</summary>
    public int InFeatures { get; }
    /// <summary>Out features.</summary>
    public int OutFeatures { get; }
    /// <summary>Whether a bias is added.</summary>
    public bool HasBias { get; }
    /// <summary>The weights, Out × In.</summary>
    public Parameter Weight => Parameters[0];
    /// <summary>The bias, or null.</summary>
    public Parameter? Bias => HasBias ? Parameters[1] : null;
    /// <inheritdoc/>
    public override string Kind => "Linear";
    /// <inheritdoc/>
    public override string Describe() => $"{InFeatures}→{OutFeatures}{(HasBias ? "" : " no-bias")}";

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var x = inputs[0];
        if (x.Rank != 2 || x[1] != InFeatures)
            throw new ShapeMismatchException($"{node} ({Kind})", $"N×{InFeatures}", $"{x}{(x.Rank != 2 ? " (flatten it first)" : "")}");
        return new Shape(x[0], OutFeatures);
    }

    /// <inheritdoc/>
    public override long Macs(IReadOnlyList<Shape> inputs, Shape output) => output.ElementCount * InFeatures;

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var x = inputs[0].Span; var y = output.Span; var w = Weight.Value.Span;
        ReadOnlySpan<float> b = Bias is null ? default : Bias.Value.Span;
        int n = inputs[0].Shape[0];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < OutFeatures; o++)
            {
                double sum = b.IsEmpty ? 0 : b[o];
                for (int f = 0; f < InFeatures; f++) sum += (double)x[i * InFeatures + f] * w[o * InFeatures + f];
                y[i * OutFeatures + o] = (float)sum;
            }
    }
}
