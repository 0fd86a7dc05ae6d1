namespace SharpConv.Kernels.Conv;

/// <summary>
/// Picks a convolution algorithm from the layer's shape: a small table, in the spirit of ncnn's, calibrated with
/// perf/SpeedProbe <c>-layers</c> (every conv layer of ResNet-18/50, GoogLeNet, DenseNet-121, SqueezeNet, VGG-16, every
/// algorithm, interleaved, batch 1 and 8, 2 threads, on the 2-core Zen 4-class AVX-512 machine). The choice depends on
/// the shape and batch only — never on the thread count — so results stay bit-identical across thread counts.
/// <list type="number">
/// <item>groups == C (depthwise) → <see cref="ConvAlgorithm.Depthwise"/>: no channel reduction for a GEMM to block.</item>
/// <item>1×1, stride 1, no padding → <see cref="ConvAlgorithm.Pointwise"/>: GEMM straight on the input.</item>
/// <item>3×3, stride 1, dilation 1, groups 1 → Winograd when its transforms pay: with T = batch·⌈P/4⌉·⌈Q/4⌉ F(4,3)
///   tiles, F(4,3) from T ≥ 32 (128→128 @28×28 batch 1: 1.7 ms vs 3.8 ms for F(2,3); VGG 512→512 @28: 30 vs 57 ms),
///   F(2,3) for 8 ≤ T &lt; 32 (512→512 @14×14 batch 1), and plain im2col below (7×7 maps at batch 1: the padded 8×8
///   tiles waste a third and the transforms do not amortise). The transforms cost ∝ C + K per tile while the
///   multiplies they save cost ∝ C·K, so thin layers stay on im2col: C ≥ 64, or C ≥ 32 on large maps (T ≥ 128);
///   GoogLeNet's 16→32, 24→64, 32→64 @14–28 run ~2× faster on im2col.</item>
/// <item>RGB stems (C ≤ 4) stay on im2col too: measured interleaved at batch 1, ResNet's 3→64 7×7/2, SqueezeNet's
///   3→96 7×7/2 and AlexNet's 3→64 11×11/4 ran 1.5–2.5× faster on im2col than on <see cref="ConvAlgorithm.Direct"/>
///   (which remains available to force).</item>
/// <item>Everything else → <see cref="ConvAlgorithm.Im2ColGemm"/>.</item>
/// </list>
/// </summary>
public static class ConvAlgorithmChooser
{
    /// <summary>The algorithm to use for <paramref name="p"/> at <paramref name="batch"/> images.</summary>
    public static ConvAlgorithm Choose(in ConvParams p, int batch = 1)
    {
        if (p.Groups == p.C && p.C > 1) return ConvAlgorithm.Depthwise;
        if (Supports(ConvAlgorithm.Pointwise, p)) return ConvAlgorithm.Pointwise;
        if (Supports(ConvAlgorithm.Winograd43, p) && p.K >= 16)
        {
            long tiles43 = (long)batch * ((p.P + 3) / 4) * ((p.Q + 3) / 4);
            bool wide = p.C >= 64 || (p.C >= 32 && tiles43 >= 128);
            if (wide && tiles43 >= 32) return ConvAlgorithm.Winograd43;
            if (wide && tiles43 >= 8) return ConvAlgorithm.Winograd23;
        }
        return ConvAlgorithm.Im2ColGemm;
    }

    /// <summary>True when <paramref name="algorithm"/> can compute <paramref name="p"/>.</summary>
    public static bool Supports(ConvAlgorithm algorithm, in ConvParams p) => WhyNot(algorithm, p) == null;

    /// <summary>Why <paramref name="algorithm"/> cannot compute <paramref name="p"/>, or null when it can.</summary>
    public static string? WhyNot(ConvAlgorithm algorithm, in ConvParams p) => algorithm switch
    {
        ConvAlgorithm.Reference or ConvAlgorithm.Im2ColGemm => null,
        ConvAlgorithm.Pointwise => p.R == 1 && p.S == 1 && p.StrideH == 1 && p.StrideW == 1 &&
            p.PadTop == 0 && p.PadLeft == 0 && p.PadBottom == 0 && p.PadRight == 0 ? null : "needs 1×1, stride 1, no padding",
        ConvAlgorithm.Winograd23 or ConvAlgorithm.Winograd43 => p.R == 3 && p.S == 3 && p.StrideH == 1 && p.StrideW == 1 &&
            p.DilationH == 1 && p.DilationW == 1 && p.Groups == 1 && p.P <= 65535 * 2 && p.Q <= 65535 * 2 ? null : "needs 3×3, stride 1, dilation 1, groups 1",
        ConvAlgorithm.Depthwise => p.Groups == p.C ? null : "needs groups == in-channels",
        ConvAlgorithm.Direct => p.Groups == 1 && p.C <= 4 ? null : "needs groups 1 and at most 4 in-channels",
        _ => "unknown algorithm",
    };
}
