namespace SharpConv.Kernels.Conv;

/// <summary>How a convolution is computed. Every algorithm gives the same result up to rounding
/// (≤1e-5 relative; Winograd ≤1e-3).</summary>
public enum ConvAlgorithm
{
    /// <summary><see cref="ConvReference"/>: the naive 7-loop oracle.</summary>
    Reference,
    /// <summary>im2col panels packed on the fly into <see cref="Gemm.PackedGemm"/>: any shape.</summary>
    Im2ColGemm,
    /// <summary>1×1, stride 1, no padding: GEMM straight on the NCHW input.</summary>
    Pointwise,
    /// <summary>Winograd F(2×2, 3×3): 3×3, stride 1, dilation 1, groups 1.</summary>
    Winograd23,
    /// <summary>Winograd F(4×4, 3×3): 3×3, stride 1, dilation 1, groups 1.</summary>
    Winograd43,
    /// <summary>Depthwise: groups == C (any channel multiplier).</summary>
    Depthwise,
    /// <summary>Direct, vectorised over output channels: first layers with 1–3 input channels (groups 1).</summary>
    Direct,
    /// <summary>Winograd F(2×2, 5×5): 5×5, stride 1, dilation 1, groups 1 (AlexNet's conv2, Inception's 5×5 branches).</summary>
    Winograd25,
}
