namespace SharpConv.Ops;

/// <summary>
/// Batch normalisation at inference: <c>y = γ · (x − μ) / √(σ² + ε) + β</c> per channel (axis 1), with the
/// running statistics μ, σ² as non-trainable buffers. γ and β are the 2·C trainable parameters papers count.
/// The compile step folds it into the preceding convolution where there is one.
/// </summary>
public sealed class BatchNorm : Op
{
    /// <summary>A BatchNorm with γ = 1, β = 0, μ = 0, σ² = 1.</summary>
    public BatchNorm(int channels, float epsilon = 1e-5f, int seed = 0)
    {
        Channels = AtLeast(channels, 1, "channels", "BatchNorm");
        if (!(epsilon >= 0)) throw new InvalidLayerException("BatchNorm", $"epsilon must be ≥ 0, found {epsilon}.");
        Epsilon = epsilon;
        var s = new Shape(channels);
        SetParameters(
            new Parameter("weight", s, ParameterInit.Ones, seed),
            new Parameter("bias", s, ParameterInit.Zeros, seed + 1),
            new Parameter("running_mean", s, ParameterInit.Zeros, seed + 2, trainable: false),
            new Parameter("running_var", s, ParameterInit.Ones, seed + 3, trainable: false));
    }

    /// <summary>A BatchNorm with given γ, β, μ, σ² (each of length C).</summary>
    public BatchNorm(Tensor scale, Tensor bias, Tensor mean, Tensor variance, float epsilon = 1e-5f) : this(scale.Length, epsilon)
    {
        foreach (var (t, n) in new[] { (bias, "bias"), (mean, "mean"), (variance, "variance") })
            if (t.Length != scale.Length) throw new ShapeMismatchException($"BatchNorm {n}", $"{scale.Length} values", $"{t.Length}");
        SetParameters(new Parameter("weight", scale), new Parameter("bias", bias),
            new Parameter("running_mean", mean, trainable: false), new Parameter("running_var", variance, trainable: false));
    }

    /// <summary>C.</summary>
    public int Channels { get; }
    /// <summary>ε.</summary>
    public float Epsilon { get; }
    /// <summary>γ.</summary>
    public Parameter Scale => Parameters[0];
    /// <summary>β.</summary>
    public Parameter Shift => Parameters[1];
    /// <summary>μ.</summary>
    public Parameter RunningMean => Parameters[2];
    /// <summary>σ².</summary>
    public Parameter RunningVariance => Parameters[3];
    /// <inheritdoc/>
    public override string Kind => "BatchNorm";
    /// <inheritdoc/>
    public override string Describe() => $"{Channels}, ε={Epsilon:g3}";

    /// <summary>The per-channel affine form <c>y = a·x + b</c> this BatchNorm computes (what folding uses).</summary>
    public (float[] Multiplier, float[] Offset) AsAffine()
    {
        var g = Scale.Value.Span; var be = Shift.Value.Span; var m = RunningMean.Value.Span; var v = RunningVariance.Value.Span;
        var a = new float[Channels]; var b = new float[Channels];
        for (int c = 0; c < Channels; c++)
        {
            double inv = 1.0 / Math.Sqrt((double)v[c] + Epsilon);
            a[c] = (float)(g[c] * inv);
            b[c] = (float)(be[c] - m[c] * g[c] * inv);
        }
        return (a, b);
    }

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        if (inputs[0].Rank < 2 || inputs[0].C != Channels)
            throw new ShapeMismatchException($"{node} ({Kind})", $"{Channels} channels on axis 1", inputs[0].ToString());
        return inputs[0];
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var x = inputs[0].Span; var y = output.Span;
        var g = Scale.Value.Span; var be = Shift.Value.Span; var m = RunningMean.Value.Span; var v = RunningVariance.Value.Span;
        int n = inputs[0].Shape.N, area = (int)inputs[0].Shape.ElementsFrom(2);
        for (int b = 0; b < n; b++)
            for (int c = 0; c < Channels; c++)
            {
                double inv = 1.0 / Math.Sqrt((double)v[c] + Epsilon);
                int o = (b * Channels + c) * area;
                for (int i = 0; i < area; i++) y[o + i] = (float)(g[c] * (x[o + i] - m[c]) * inv + be[c]);
            }
    }
}
