using SharpConv.Ops;

namespace SharpConv.Graph;

/// <summary>
/// A handle on one node's output while building. Layer methods add a node reading this value and return the new
/// handle, so a sequential part reads top to bottom: <c>x = x.Conv(96, 11, stride: 4).Relu().MaxPool(3, 2);</c>
/// </summary>
public readonly struct Value
{
    internal Value(NetworkBuilder builder, Node node) { Builder = builder; Node = node; }

    /// <summary>The builder this value belongs to.</summary>
    public NetworkBuilder Builder { get; }
    /// <summary>The node producing the value.</summary>
    public Node Node { get; }
    /// <summary>The value's shape at the declared batch size.</summary>
    public Shape Shape => Node.OutputShape;
    /// <summary>Channels (axis 1).</summary>
    public int Channels => Shape[1];

    /// <summary>Adds any op reading this value.</summary>
    public Value Then(Op op, string? name = null) => Builder.Add(op, [this], name);

    private Value Then(Func<int, Op> make, string kind, string? name)
    {
        string n = name is null ? Builder.NextName(kind) : (Builder.CurrentScope.Length == 0 ? name : $"{Builder.CurrentScope}.{name}");
        Op op;
        // Constructors know the layer type, not the node: put the node's name on their errors.
        try { op = make(Builder.SeedFor(n)); }
        catch (InvalidLayerException e) { throw new InvalidLayerException($"{n} ({e.Layer})", e.Problem); }
        return Builder.Add(op, [this], name);
    }

    /// <summary>Square convolution: <paramref name="kernel"/>×<paramref name="kernel"/>, one stride, uniform padding.</summary>
    public Value Conv(int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true, string? name = null) =>
        Conv(outChannels, (kernel, kernel), (stride, stride), padding, (dilation, dilation), groups, bias, name);

    /// <summary>General convolution: rectangular kernel and stride, asymmetric padding, dilation, groups.</summary>
    public Value Conv(int outChannels, (int H, int W) kernel, (int H, int W) stride, Padding padding, (int H, int W) dilation, int groups = 1, bool bias = true, string? name = null)
    {
        int inChannels = Shape.Rank == 4 ? Shape.C : throw new ShapeMismatchException(name ?? Builder.NextName("Conv2d"), "a rank-4 input (N×C×H×W)", Shape.ToString());
        return Then(seed => new Conv2d(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, seed), "Conv2d", name);
    }

    /// <summary>Max pooling.</summary>
    public Value MaxPool(int kernel, int stride, int padding = 0, bool ceilMode = false, string? name = null) =>
        Then(new MaxPool2d(kernel, stride, padding, ceilMode), name);

    /// <summary>Average pooling.</summary>
    public Value AvgPool(int kernel, int stride, int padding = 0, bool ceilMode = false, bool countIncludePad = true, string? name = null) =>
        Then(new AvgPool2d(kernel, stride, padding, ceilMode, countIncludePad), name);

    /// <summary>Global average pooling to N×C×1×1.</summary>
    public Value GlobalAvgPool(string? name = null) => Then(new Ops.GlobalAvgPool(), name);

    /// <summary>Global max pooling to N×C×1×1.</summary>
    public Value GlobalMaxPool(string? name = null) => Then(new Ops.GlobalMaxPool(), name);

    /// <summary>Adaptive average pooling to a fixed size.</summary>
    public Value AdaptiveAvgPool(int height, int width, string? name = null) => Then(new AdaptiveAvgPool2d(height, width), name);

    /// <summary>BatchNorm over this value's channels.</summary>
    public Value BatchNorm(float epsilon = 1e-5f, string? name = null)
    {
        int c = Shape.Rank >= 2 ? Shape[1] : throw new ShapeMismatchException(name ?? Builder.NextName("BatchNorm"), "rank ≥ 2", Shape.ToString());
        return Then(seed => new Ops.BatchNorm(c, epsilon, seed), "BatchNorm", name);
    }

    /// <summary>
    /// BatchNorm whose scale γ starts at <paramref name="gammaInit"/> instead of 1 (β = 0, μ = 0, σ² = 1). Zoo residual
    /// branches end with a small γ (like torchvision's <c>zero_init_residual</c>, but non-zero) so that random-weight
    /// forward passes of deep residual networks stay finite instead of doubling their variance at every block.
    /// </summary>
    public Value BatchNorm(float epsilon, float gammaInit, string? name = null)
    {
        int c = Shape.Rank >= 2 ? Shape[1] : throw new ShapeMismatchException(name ?? Builder.NextName("BatchNorm"), "rank ≥ 2", Shape.ToString());
        var s = new Shape(c);
        return Then(new Ops.BatchNorm(Tensor.Filled(s, gammaInit), new Tensor(s), new Tensor(s), Tensor.Filled(s, 1f), epsilon), name);
    }

    /// <summary>Local response normalisation across channels.</summary>
    public Value Lrn(int size = 5, float alpha = 1e-4f, float beta = 0.75f, float k = 2f, string? name = null) =>
        Then(new Ops.Lrn(size, alpha, beta, k), name);

    /// <summary>Fully connected layer on an N×F value (flatten first).</summary>
    public Value Linear(int outFeatures, bool bias = true, string? name = null)
    {
        int f = Shape.Rank == 2 ? Shape[1] : throw new ShapeMismatchException(name ?? Builder.NextName("Linear"), "an N×F input (flatten first)", Shape.ToString());
        return Then(seed => new Ops.Linear(f, outFeatures, bias, seed), "Linear", name);
    }

    /// <summary>ReLU.</summary>
    public Value Relu(string? name = null) => Then(new Ops.Relu(), name);
    /// <summary>Clamp to [min, max] (ReLU6 is Clip(0, 6)).</summary>
    public Value Clip(float min, float max, string? name = null) => Then(new Ops.Clip(min, max), name);
    /// <summary>Leaky ReLU.</summary>
    public Value LeakyRelu(float alpha = 0.01f, string? name = null) => Then(new Ops.LeakyRelu(alpha), name);
    /// <summary>tanh.</summary>
    public Value Tanh(string? name = null) => Then(new Ops.Tanh(), name);
    /// <summary>Sigmoid.</summary>
    public Value Sigmoid(string? name = null) => Then(new Ops.Sigmoid(), name);
    /// <summary>Softmax over classes (axis 1).</summary>
    public Value Softmax(int axis = 1, string? name = null) => Then(new Ops.Softmax(axis), name);
    /// <summary>Dropout (identity at inference).</summary>
    public Value Dropout(float p = 0.5f, string? name = null) => Then(new Ops.Dropout(p), name);
    /// <summary>Multiply by a constant (stochastic-depth test-time scaling).</summary>
    public Value Scale(float multiplier, string? name = null) => Then(new Ops.Scale(multiplier), name);
    /// <summary>Flatten to N×(C·H·W).</summary>
    public Value Flatten(string? name = null) => Then(new Ops.Flatten(1), name);
    /// <summary>Reshape (0 copies a dimension, −1 is inferred).</summary>
    public Value Reshape(int[] target, string? name = null) => Then(new Ops.Reshape(target), name);
    /// <summary>ResNet option-A shortcut: subsample by <paramref name="stride"/>, zero-pad channels up to <paramref name="outChannels"/> (split evenly before and after).</summary>
    public Value ChannelZeroPad(int outChannels, int stride, string? name = null)
    {
        int extra = outChannels - Channels;
        if (extra < 0) throw new InvalidLayerException(name ?? "ChannelZeroPad", $"cannot pad {Channels} channels down to {outChannels}.");
        return Then(new Ops.ChannelZeroPad(extra / 2, extra - extra / 2, stride), name);
    }

    /// <summary>Residual sum with another value of the same shape.</summary>
    public Value Add(Value other, string? name = null) => Builder.Add(this, other, name);

    /// <inheritdoc/>
    public override string ToString() => $"{Node.Name} {Shape}";
}
