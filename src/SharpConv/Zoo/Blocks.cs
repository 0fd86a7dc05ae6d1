using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Zoo;

/// <summary>Small building blocks shared by several zoo families; each keeps torchvision's node names.</summary>
internal static class Blocks
{
    /// <summary>
    /// γ of the last BatchNorm of each residual branch in a network of <paramref name="blocks"/> residual blocks.
    /// With random He weights and identity BatchNorm statistics nothing normalises, and <c>x + F(x)</c> doubles the
    /// variance at every block (2^600 for ResNet-1202). Scaling each branch by γ makes the growth
    /// <c>(1 + γ²)^blocks</c>; γ = min(0.2, 1/√blocks) keeps it below e (the Fixup argument) and the logits near 1.
    /// Like torchvision's <c>zero_init_residual</c>, but non-zero so every branch still contributes.
    /// </summary>
    public static float ResidualGamma(int blocks) => MathF.Min(0.2f, 1f / MathF.Sqrt(Math.Max(1, blocks)));

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
