namespace SharpConv.Kernels.Conv;

/// <summary>
/// Picks a convolution algorithm from the layer's shape: a small table, in the spirit of ncnn's, calibrated with
/// perf/SpeedProbe <c>-layers</c> (every conv layer of ResNet-18/50, GoogLeNet, DenseNet-121, SqueezeNet, VGG-16, every
/// algorithm, interleaved, batch 1 and 8, 2 threads, on the 2-core Zen 4-class AVX-512 machine). The choice depends on
/// the shape and batch only — never on the thread count — so results stay bit-identical across thread counts.
/// <list type="number">
/// <item>groups == C (depthwise) → <see cref="ConvAlgorithm.Depthwise"/>: no channel reduction for a GEMM to block.</item>
/// <item>1×1, stride 1, no padding → <see cref="ConvAlgorithm.Pointwise"/>: GEMM straight on the input; except, with
///   whole 32-channel panels (K ≥ 64) on maps the direct kernel's row tiles fit and the GEMM's column tiles do not
///   (over 5 % padding in <see cref="Gemm.GemmKernel.ColumnStep"/> columns: 14×14, not 13×13, 27×27 or 28×28 with
///   AVX-512), where that kernel (which packs nothing) measured faster (2 threads, ResNet-50/GoogLeNet/DenseNet-121):
///   one image of a ≤ 32×32 map with
///   C·K ≤ 2¹⁷ (ResNet-50's 128→512 @28 0.94 vs 1.23 ms, DenseNet's 512→128 @14; not 1024→512, 1.3 vs 2.2), and
///   several images of 13×13/14×14 reductions C ≥ 2K (GoogLeNet's 480→192 and 528→256, ResNet-50's 1024→256 and
///   1024→512 @14: 5–25 % faster than the folded GEMM).</item>
/// <item>3×3, stride 1, dilation 1, groups 1: with T = batch·⌈P/4⌉·⌈Q/4⌉ F(4,3) tiles,
///   F(4,3) from T ≥ 128 tiles when C ≥ 16 (its transforms are vector moves: DenseNet's 128→32 @56 at batch 8 4.6 vs
///   10.6 ms direct, SqueezeNet's 16→64 @55 2.1 vs 2.7), and from T ≥ 16 without AVX-512; below that, <see cref="ConvAlgorithm.Direct"/> where its 14-pixel row tiles fit the map (≤ 15 % padding: 13, 14, 27, 28, 55,
///   56… wide, not 7) and either the layer is thin (C &lt; 64: GoogLeNet's 16→32…32→128, SqueezeNet's expand 3×3, 1.3–2×
///   faster than im2col/Winograd) or the batch-wide map is small and the layer not too wide (T &lt; 48 and C·K ≤ 256²: 13×13/14×14 maps
///   at batch 1, 15–25 % faster than F(2,3); VGG's 512→512 @14 keeps F(2,3), whose 2.25× fewer multiplies win there); else Winograd when its transforms pay: F(4,3) from T ≥ 32 (VGG 512→512 @28: 30 vs 57 ms for
///   F(2,3)), F(2,3) for 8 ≤ T &lt; 32, for C ≥ 64 (or C ≥ 32 on large maps, T ≥ 128) — the transforms cost ∝ C + K per
///   tile, the multiplies they save ∝ C·K. Thin outputs (K ≤ 32 from C ≥ 64: DenseNet's 128→32) take
///   <see cref="ConvAlgorithm.Direct"/> at batch 1 on any map (1.6–4.5× faster than F(4,3)) and up to T = 160 tiles at
///   larger batches (14×14 and 7×7 at batch 8). Without AVX-512, F(2,3) where F(4,3) has under 8 tiles and F(2,3)
///   at least 16 (one 16-column panel: 7×7 maps at batch 1) for C ≥ 32: 1.4–1.9× faster than im2col.</item>
/// <item>5×5, stride 1, dilation 1, groups 1 with C ≥ 16 and K ≥ 16 → <see cref="ConvAlgorithm.Winograd25"/>: 2.8× fewer
///   multiplies (KernelProbe layer, 2 threads, AVX2 Zen 1, ms F(2,5) vs direct: AlexNet's 64→192 @27 27.4 vs 55.5 at
///   batch 8, 4.0 vs 7.1 at batch 1; GoogLeNet's 32→96 @28 8.4 vs 15.1 at batch 8, 16→48 @14 0.50 vs 0.82 at batch 1;
///   Inception-v3's 48→64 @35 1.96 vs 2.81; even 48→128 @7 at batch 1, 16 tiles, 0.20 vs 0.33 on im2col; 16→32 @28 at
///   batch 1 ties). Thinner layers (LeNet's 6→16) stay direct.</item>
/// <item>Other convolutions with a spatial kernel (RGB stems 7×7/2 and 11×11/4, ZFNet's 5×5/2, ResNet's 3×3/2) →
///   <see cref="ConvAlgorithm.Direct"/> where it fits and has at least 64 taps (C·R·S): 20–40 % faster than im2col at
///   batch 1 and 8; a 3×3/2 stem on RGB (27 taps) stays on im2col, whose GEMM is cheap at that depth.</item>
/// <item>Everything else (1×1 stride 2, 7×7 maps, grouped) → <see cref="ConvAlgorithm.Im2ColGemm"/>.</item>
/// </list>
/// </summary>
public static class ConvAlgorithmChooser
{
    /// <summary>The algorithm to use for <paramref name="p"/> at <paramref name="batch"/> images.</summary>
    public static ConvAlgorithm Choose(in ConvParams p, int batch = 1) => Choose(p, batch, residual: false);

    /// <summary>The algorithm for <paramref name="p"/> at <paramref name="batch"/> images, knowing whether a residual
    /// is added in the store: the direct kernel reads a residual as 32 masked 14-float pieces per tile, one per channel
    /// row, which costs ResNet's 1×1 expansions (128→512 @28 + shortcut: 1.95 vs 1.05 ms for ORT at batch 1), so 1×1
    /// layers with a residual stay on the GEMM, whose store reads it row-contiguously.</summary>
    public static ConvAlgorithm Choose(in ConvParams p, int batch, bool residual)
    {
        if (p.Groups == p.C && p.C > 1) return ConvAlgorithm.Depthwise;
        if (Supports(ConvAlgorithm.Pointwise, p))
        {
            if (residual || !DirectFits(p) || p.K < 64 || p.K % 32 != 0) return ConvAlgorithm.Pointwise;
            // Only where the GEMM's per-image tiles waste columns: with AVX-512's masked 16-lane tails, 13×13 and 27×27
            // (SqueezeNet) and 28×28 maps tile to within 5 % and the GEMM measured faster (KernelProbe layer, 2 threads,
            // ms pointwise vs direct: 512→64 @13 0.067 vs 0.094 at batch 1, 0.52 vs 0.77 at batch 8; 32→128 @27 0.049
            // vs 0.062; 128→512 @28 0.54 vs 0.56), while 14×14 (196 of 208 columns) keeps the direct kernel
            // (512→128 @14 0.153 vs 0.197).
            int step = Gemm.GemmKernel.For(SimdSupport.Best, p.K).ColumnStep, pq = p.P * p.Q;
            if ((pq + step - 1) / step * step - pq <= 0.05 * pq) return ConvAlgorithm.Pointwise;
            bool pointwiseDirect = batch == 1
                ? p.P * p.Q <= 1024 && (long)p.C * p.K <= 131072
                : p.P * p.Q <= 256 && p.C >= 2 * p.K;
            return pointwiseDirect ? ConvAlgorithm.Direct : ConvAlgorithm.Pointwise;
        }
        // Direct needs rows its pixel tiles fill and enough taps per tile to amortise the transposed store.
        bool direct = DirectFits(p) && (long)p.C * p.R * p.S >= 64 && (p.R > 1 || p.S > 1);
        if (Supports(ConvAlgorithm.Winograd43, p) && p.K >= 16)
        {
            long tiles43 = (long)batch * ((p.P + 3) / 4) * ((p.Q + 3) / 4);
            bool wide = p.C >= 64 || (p.C >= 32 && tiles43 >= 128);
            // Many tiles: F(4,3) whatever the widths, since its transforms are cheap vector moves (KernelProbe algorithms:
            // DenseNet's 128→32 @56 4.6 vs 10.6 ms direct at batch 8, 0.80 vs 1.20 at batch 1; SqueezeNet's 16→64 @55
            // 2.1 vs 2.7, GoogLeNet's 16→32 @28 batch 8 0.31 vs 0.37).
            if (tiles43 >= 128 && p.C >= 16) return ConvAlgorithm.Winograd43;
            // Without AVX-512 the direct kernel's tiles are 6 pixels × 16 channels and lose to F(4,3) from 16 tiles
            // (same probe with DOTNET_EnableAVX512=0, batch 1: DenseNet's 128→32 @28 0.21 vs 0.37 ms, @14 0.077 vs
            // 0.108; SqueezeNet's 32→128 @27 0.26 vs 0.38, 64→256 @13 0.19 vs 0.30 for F(2,3)).
            if (SimdSupport.Best != SimdWidth.Vector512 && tiles43 >= 16 && p.C >= 16) return ConvAlgorithm.Winograd43;
            if (direct && (p.C < 64 || (tiles43 < 48 && (long)p.C * p.K <= 65536))) return ConvAlgorithm.Direct;
            // Thin outputs (DenseNet's 128→32): Winograd's input transform (∝ C per tile) outweighs the multiplies it
            // saves (∝ C·K); the direct kernel wins even on 7×7 maps with half-empty pixel tiles.
            if (p.K <= 32 && p.C >= 64 && Supports(ConvAlgorithm.Direct, p) && (batch == 1 || tiles43 <= 160)) return ConvAlgorithm.Direct;
            // Without AVX-512 a GEMM panel is 16 columns: a 7×7 map at batch 1 has 4 F(4,3) tiles (a quarter panel) but
            // 16 F(2,3) tiles, one whole panel, and F(2,3) beat im2col by 1.4–1.9× (KernelProbe layer, 2 threads, AVX2
            // Zen 1, ms: ResNet's 512→512 @7 2.46 vs 3.99, 1 thread 4.22 vs 7.91; GoogLeNet's 160→320 0.50 vs 0.82,
            // 192→384 0.68 vs 1.23, 32→128 0.070 vs 0.096; 64→64 0.079 vs 0.129).
            long tiles23 = (long)batch * ((p.P + 1) / 2) * ((p.Q + 1) / 2);
            if (SimdSupport.Best != SimdWidth.Vector512 && tiles43 < 8 && tiles23 >= 16 && p.C >= 32) return ConvAlgorithm.Winograd23;
            if (wide && tiles43 >= 32) return ConvAlgorithm.Winograd43;
            if (wide && tiles43 >= 8) return ConvAlgorithm.Winograd23;
        }
        if (Supports(ConvAlgorithm.Winograd25, p) && p.C >= 16 && p.K >= 16) return ConvAlgorithm.Winograd25;
        if (direct) return ConvAlgorithm.Direct;
        return ConvAlgorithm.Im2ColGemm;
    }

    /// <summary>Whether <see cref="ConvAlgorithm.Direct"/> tiles the output rows well: its MR-pixel tiles (14 with
    /// Vector512) waste at most 15 % of a row (13, 14, 27, 28, 55, 56, 112… wide maps; not 7).</summary>
    private static bool DirectFits(in ConvParams p)
    {
        if (!Supports(ConvAlgorithm.Direct, p)) return false;
        int mr = Gemm.GemmKernel.For(SimdSupport.Best).MR;
        int padded = (p.Q + mr - 1) / mr * mr;
        return padded - p.Q <= 0.15 * p.Q;
    }

    /// <summary>Whether <paramref name="algorithm"/> is one of the Winograd kernels (whose rounding grows with the
    /// weights, so extreme weights are kept from them).</summary>
    internal static bool IsWinograd(ConvAlgorithm algorithm) =>
        algorithm is ConvAlgorithm.Winograd23 or ConvAlgorithm.Winograd43 or ConvAlgorithm.Winograd25;

    /// <summary>Why a Winograd kernel for r×r cannot compute <paramref name="p"/>: it needs that kernel, stride 1,
    /// dilation 1 and groups 1, and tile coordinates of 16 bits (tiles are at least 2 wide). The reasons are constant
    /// strings: the chooser asks on every run, which must not allocate.</summary>
    private static string? WinogradWhyNot(in ConvParams p, int r) =>
        p.R == r && p.S == r && p.StrideH == 1 && p.StrideW == 1 && p.DilationH == 1 && p.DilationW == 1 && p.Groups == 1
        && p.P <= 65535 * 2 && p.Q <= 65535 * 2 ? null
        : r == 5 ? "needs 5×5, stride 1, dilation 1, groups 1" : "needs 3×3, stride 1, dilation 1, groups 1";

    /// <summary>True when <paramref name="algorithm"/> can compute <paramref name="p"/>.</summary>
    public static bool Supports(ConvAlgorithm algorithm, in ConvParams p) => WhyNot(algorithm, p) == null;

    /// <summary>Why <paramref name="algorithm"/> cannot compute <paramref name="p"/>, or null when it can.</summary>
    public static string? WhyNot(ConvAlgorithm algorithm, in ConvParams p) => algorithm switch
    {
        ConvAlgorithm.Reference or ConvAlgorithm.Im2ColGemm => null,
        ConvAlgorithm.Pointwise => p.R == 1 && p.S == 1 && p.StrideH == 1 && p.StrideW == 1 &&
            p.PadTop == 0 && p.PadLeft == 0 && p.PadBottom == 0 && p.PadRight == 0 ? null : "needs 1×1, stride 1, no padding",
        ConvAlgorithm.Winograd23 or ConvAlgorithm.Winograd43 or ConvAlgorithm.Winograd25 =>
            WinogradWhyNot(p, algorithm == ConvAlgorithm.Winograd25 ? 5 : 3),
        ConvAlgorithm.Depthwise => p.Groups == p.C ? null : "needs groups == in-channels",
        ConvAlgorithm.Direct => p.Groups != 1 || p.StrideW is not (1 or 2 or 4) ? "needs groups 1 and a horizontal stride of 1, 2 or 4"
            : !Direct.PaddedImageFits(p) ? "its zero-padded image would exceed 2³¹ − 1 floats" : null,
        _ => "unknown algorithm",
    };
}
