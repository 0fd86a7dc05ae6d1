using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Gpu.Tests;

/// <summary>Layers with random (non-trivial) weights, biases and statistics: the zoo's zero biases and identity BatchNorms would hide bugs.</summary>
internal static class Layers
{
    public static Conv2d Conv(int c, int k, (int H, int W) kernel, (int H, int W) stride, Padding padding, (int H, int W) dilation, int groups, int seed, bool bias = true)
    {
        var w = Tensor.RandomNormal(new Shape(k, c / groups, kernel.H, kernel.W), seed, MathF.Sqrt(2f / (c / groups * kernel.H * kernel.W)));
        var b = bias ? Tensor.RandomUniform(new Shape(k), seed + 1, -0.5f, 0.5f) : null;
        return new Conv2d(w, b, stride, padding, dilation, groups);
    }

    public static Value Conv(this Value x, int k, int kernel, int stride = 1, int padding = 0, int groups = 1, int seed = 1, string? name = null) =>
        x.Builder.Add(Conv(x.Channels, k, (kernel, kernel), (stride, stride), padding, (1, 1), groups, seed), [x], name);

    public static BatchNorm BatchNorm(int c, int seed) => new(
        Tensor.RandomUniform(new Shape(c), seed, 0.5f, 1.5f), Tensor.RandomUniform(new Shape(c), seed + 1, -0.3f, 0.3f),
        Tensor.RandomUniform(new Shape(c), seed + 2, -0.2f, 0.2f), Tensor.RandomUniform(new Shape(c), seed + 3, 0.5f, 2f));

    public static Value Bn(this Value x, int seed, string? name = null) => x.Builder.Add(BatchNorm(x.Channels, seed), [x], name);

    public static Value Linear(this Value x, int outFeatures, int seed, string? name = null) =>
        x.Builder.Add(new Linear(Tensor.RandomNormal(new Shape(outFeatures, x.Shape[1]), seed, MathF.Sqrt(2f / x.Shape[1])),
            Tensor.RandomUniform(new Shape(outFeatures), seed + 1, -0.5f, 0.5f)), [x], name);

    public static Value Then(this Value x, Op op, string? name = null) => x.Builder.Add(op, [x], name);
}
