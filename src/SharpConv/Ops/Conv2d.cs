namespace SharpConv.Ops;

/// <summary>
/// 2-D convolution (cross-correlation, as every framework computes it).
/// Output size per axis: <c>P = ⌊(H + pad_top + pad_bottom − dilation·(R−1) − 1) / stride⌋ + 1</c>;
/// weights <c>K × C/G × R × S</c> (+ K biases); multiply-accumulates <c>N·K·P·Q · (C/G)·R·S</c>.
/// </summary>
/// <remarks>Dimension legend: N batch · C in-channels · K out-channels · H×W input · P×Q output · R×S kernel · G groups.</remarks>
public sealed class Conv2d : Op
{
    /// <summary>A convolution with seeded He-initialised weights and zero bias.</summary>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernel, (int H, int W) stride, Padding padding,
        (int H, int W) dilation, int groups = 1, bool bias = true, int seed = 0)
    {
        InChannels = AtLeast(inChannels, 1, "in_channels", "Conv2d");
        OutChannels = AtLeast(outChannels, 1, "out_channels", "Conv2d");
        KernelH = AtLeast(kernel.H, 1, "kernel height", "Conv2d"); KernelW = AtLeast(kernel.W, 1, "kernel width", "Conv2d");
        StrideH = AtLeast(stride.H, 1, "stride", "Conv2d"); StrideW = AtLeast(stride.W, 1, "stride", "Conv2d");
        DilationH = AtLeast(dilation.H, 1, "dilation", "Conv2d"); DilationW = AtLeast(dilation.W, 1, "dilation", "Conv2d");
        if (padding.Top < 0 || padding.Left < 0 || padding.Bottom < 0 || padding.Right < 0)
            throw new InvalidLayerException("Conv2d", $"padding must be ≥ 0, found {padding}.");
        Padding = padding;
        Groups = AtLeast(groups, 1, "groups", "Conv2d");
        if (inChannels % groups != 0) throw new InvalidLayerException("Conv2d", $"in_channels {inChannels} is not divisible by groups {groups}.");
        if (outChannels % groups != 0) throw new InvalidLayerException("Conv2d", $"out_channels {outChannels} is not divisible by groups {groups}.");
        HasBias = bias;
        int fanIn = inChannels / groups * KernelH * KernelW;
        var w = new Parameter("weight", new Shape(outChannels, inChannels / groups, KernelH, KernelW), ParameterInit.HeNormal, seed, fanIn);
        SetParameters(bias ? [w, new Parameter("bias", new Shape(outChannels), ParameterInit.Zeros, seed + 1)] : [w]);
    }

    /// <summary>A convolution with given weights (<c>K × C/G × R × S</c>) and optional bias (<c>K</c>).</summary>
    public Conv2d(Tensor weight, Tensor? bias, (int H, int W) stride, Padding padding, (int H, int W) dilation, int groups = 1)
        : this(CheckWeight(weight, groups), weight.Shape[0], (weight.Shape[2], weight.Shape[3]), stride, padding, dilation, groups, bias is not null)
    {
        if (bias is not null && bias.Shape != new Shape(weight.Shape[0]))
            throw new ShapeMismatchException("Conv2d bias", $"shape {weight.Shape[0]}", bias.Shape.ToString());
        var w = new Parameter("weight", weight);
        SetParameters(bias is null ? [w] : [w, new Parameter("bias", bias)]);
    }

    private static int CheckWeight(Tensor weight, int groups)
    {
        if (weight.Shape.Rank != 4) throw new ShapeMismatchException("Conv2d weight", "rank 4 (K×C/G×R×S)", weight.Shape.ToString());
        long inChannels = (long)weight.Shape[1] * Math.Max(1, groups);
        if (inChannels > int.MaxValue)
            throw new InvalidLayerException("Conv2d", $"{weight.Shape[1]} input channels per group × {groups} groups = {inChannels:N0} input channels, more than any tensor can have.");
        return (int)inChannels;
    }

    /// <summary>C: input channels.</summary>
    public int InChannels { get; }
    /// <summary>K: output channels.</summary>
    public int OutChannels { get; }
    /// <summary>R: kernel height.</summary>
    public int KernelH { get; }
    /// <summary>S: kernel width.</summary>
    public int KernelW { get; }
    /// <summary>Vertical stride.</summary>
    public int StrideH { get; }
    /// <summary>Horizontal stride.</summary>
    public int StrideW { get; }
    /// <summary>Zero padding per side.</summary>
    public Padding Padding { get; }
    /// <summary>Vertical dilation.</summary>
    public int DilationH { get; }
    /// <summary>Horizontal dilation.</summary>
    public int DilationW { get; }
    /// <summary>G: groups (G = C is depthwise).</summary>
    public int Groups { get; }
    /// <summary>Whether a bias is added.</summary>
    public bool HasBias { get; }
    /// <summary>The weights, K × C/G × R × S.</summary>
    public Parameter Weight => Parameters[0];
    /// <summary>The bias (K), or null.</summary>
    public Parameter? Bias => HasBias ? Parameters[1] : null;
    /// <summary>True when every group has one input channel.</summary>
    public bool IsDepthwise => Groups == InChannels && Groups > 1;

    /// <inheritdoc/>
    public override string Kind => "Conv2d";

    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var x = inputs[0];
        ExpectRank(node, x, 4);
        if (x.C != InChannels)
            throw new ShapeMismatchException($"{node} ({Kind})", $"{InChannels} input channels", $"{x.C} channels (input {x})");
        int p = OutputSize(node, "height", x.H, KernelH, StrideH, Padding.Top, Padding.Bottom, DilationH);
        int q = OutputSize(node, "width", x.W, KernelW, StrideW, Padding.Left, Padding.Right, DilationW);
        return new Shape(x.N, OutChannels, p, q);
    }

    private int OutputSize(string node, string axis, int input, int kernel, int stride, int padBefore, int padAfter, int dilation)
    {
        long effectiveKernel = (long)dilation * (kernel - 1) + 1;
        long padded = (long)input + padBefore + padAfter;
        if (effectiveKernel > padded)
            throw Invalid(node, $"kernel {axis} {kernel} (dilated to {effectiveKernel}) is larger than the padded input {axis} {padded} ({input} + {padBefore} + {padAfter}).");
        long size = (padded - effectiveKernel) / stride + 1;
        if (size > int.MaxValue)
            throw new LimitExceededException($"{node} ({Kind})", $"output {axis} {size:N0} (input {input} + padding {padBefore} + {padAfter})", int.MaxValue);
        return (int)size;
    }

    /// <inheritdoc/>
    public override long Macs(IReadOnlyList<Shape> inputs, Shape output) =>
        output.ElementCount * (InChannels / Groups) * KernelH * KernelW;

    /// <inheritdoc/>
    public override string Describe()
    {
        string k = KernelH == KernelW ? $"{KernelH}×{KernelW}" : $"{KernelH}×{KernelW}";
        string s = StrideH == StrideW ? $"/{StrideH}" : $"/({StrideH},{StrideW})";
        string d = DilationH == 1 && DilationW == 1 ? "" : $" d{DilationH}";
        string g = Groups == 1 ? "" : IsDepthwise ? " dw" : $" g{Groups}";
        return $"{k}{s} {Padding}{d}{g}, {OutChannels}{(HasBias ? "" : " no-bias")}";
    }

    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output) =>
        Reference(inputs[0], Weight.Value.Span, Bias is null ? default : Bias.Value.Span, output);

    /// <summary>
    /// The readable reference convolution: for every output element, sum over its group's input channels and
    /// the kernel window, skipping taps that fall in the zero padding.
    /// </summary>
    public void Reference(Tensor input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Tensor output)
    {
        int n = input.Shape.N, c = input.Shape.C, h = input.Shape.H, w = input.Shape.W;
        int k = output.Shape.C, p = output.Shape.H, q = output.Shape.W;
        int cPerGroup = c / Groups, kPerGroup = k / Groups;
        var x = input.Span; var y = output.Span;
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < k; oc++)
            {
                int g = oc / kPerGroup;
                for (int oy = 0; oy < p; oy++)
                    for (int ox = 0; ox < q; ox++)
                    {
                        double sum = bias.IsEmpty ? 0 : bias[oc];
                        for (int ic = 0; ic < cPerGroup; ic++)
                        {
                            int inChannel = g * cPerGroup + ic;
                            for (int r = 0; r < KernelH; r++)
                            {
                                int iy = oy * StrideH - Padding.Top + r * DilationH;
                                if ((uint)iy >= (uint)h) continue;
                                for (int s = 0; s < KernelW; s++)
                                {
                                    int ix = ox * StrideW - Padding.Left + s * DilationW;
                                    if ((uint)ix >= (uint)w) continue;
                                    sum += (double)x[((b * c + inChannel) * h + iy) * w + ix] * weight[((oc * cPerGroup + ic) * KernelH + r) * KernelW + s];
                                }
                            }
                        }
                        y[((b * k + oc) * p + oy) * q + ox] = (float)sum;
                    }
            }
    }
}
