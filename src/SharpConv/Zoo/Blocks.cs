using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Zoo;

/// <summary>Small building blocks shared by several zoo families; each keeps torchvision's node names.</summary>
internal static class Blocks
{
    /// <summary>γ of the last BatchNorm of a residual branch: small so random-weight deep nets keep a finite output.</summary>
    public const float ResidualGamma = 0.2f;

    /// <summary>
    /// torchvision's <c>BasicConv2d</c> (GoogLeNet, Inception): conv without bias → BN (ε = 0.001) → ReLU, in a scope
    /// named <paramref name="scope"/> so nodes read <c>Mixed_5b.branch1x1.conv</c>.
    /// </summary>
    public static Value Basic(this Value x, string scope, int outChannels, int kernel, int stride = 1, int padding = 0) =>
        x.Basic(scope, outChannels, (kernel, kernel), (stride, stride), padding);

    /// <summary>Rectangular <see cref="Basic(Value, string, int, int, int, int)"/> (the 1×7 / 7×1 factorised convs).</summary>
    public static Value Basic(this Value x, string scope, int outChannels, (int H, int W) kernel, (int H, int W) stride, Padding padding)
    {
        using var _ = x.Builder.Scope(scope);
        return x.Conv(outChannels, kernel, stride, padding, (1, 1), bias: false, name: "conv").BatchNorm(1e-3f, name: "bn").Relu(name: "relu");
    }

    /// <summary>The 1×n then n×1 padding helpers of factorised convolutions: kernel (1, n) keeps the size with padding (0, n/2).</summary>
    public static Padding Same(int kh, int kw) => Padding.Symmetric(kh / 2, kw / 2);
}
