namespace SharpConv.Kernels.Conv;

/// <summary>
/// Picks a convolution algorithm from the layer's shape: a small table, in the spirit of ncnn's, with the
/// measurements behind it (perf/KernelProbe, this 2-core AVX-512 machine; see Kernels/README.md):
/// <list type="number">
/// <item>groups == C (depthwise) → <see cref="ConvAlgorithm.Depthwise"/>: no channel reduction for a GEMM to block.</item>
/// <item>1×1, stride 1, no padding → <see cref="ConvAlgorithm.Pointwise"/>: GEMM straight on the input.</item>
/// <item>3×3, stride 1, dilation 1, groups 1, C and K ≥ 16 → Winograd. F(4,3) does 4× fewer multiplies than direct,
///   F(2,3) 2.25×; F(4,3) wins when there are enough 4×4 tiles to fill the GEMM panels (output ≥ 16×16 or a
///   batch), F(2,3) for small maps (e.g. 512→512 at 14×14 batch 1: 16 F(4,3) tiles would fill half a panel).
///   Below 16 channels the transforms cost more than the multiplies they save.</item>
/// <item>groups 1, C ≤ 4 → <see cref="ConvAlgorithm.Direct"/> (RGB first layers: im2col's B would be R·S/stride²
///   times the image for a depth of only 3·R·S).</item>
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
        if (Supports(ConvAlgorithm.Winograd43, p) && p.C >= 16 && p.K >= 16)
        {
            long tiles43 = (long)batch * ((p.P + 3) / 4) * ((p.Q + 3) / 4);
            return tiles43 >= 64 ? ConvAlgorithm.Winograd43 : ConvAlgorithm.Winograd23;
        }
        if (p.Groups == 1 && p.C <= 4) return ConvAlgorithm.Direct;
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
